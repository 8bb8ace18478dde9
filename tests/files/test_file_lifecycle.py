"""A file DOI's life through the real records service, real files and the sandbox."""

from __future__ import annotations

from files_helpers import file_rows, related
from invenio_access.permissions import system_identity

from invenio_doi_ext.lifecycle.models import DOIState


def test_two_files_two_draft_dois_one_deleted_then_publish(service, draft_with_files, sandbox):
    draft = draft_with_files({"data.csv": b"a,b\n1,2\n", "notes.txt": b"hello"})
    rows = file_rows(draft)
    assert sorted(rows) == ["data.csv", "notes.txt"]
    for row in rows.values():
        assert row.doi.startswith("10.1234/")
        assert sandbox.control.doi(row.doi)["state"] == "draft"
        assert (row.desired_state, row.remote_state) == (DOIState.DRAFT, DOIState.DRAFT)
    csv_doi, notes_doi = rows["data.csv"].doi, rows["notes.txt"].doi
    assert sandbox.control.doi(csv_doi)["attributes"]["titles"] == [{"title": "data.csv"}]

    service.draft_files.delete_file(system_identity, draft.id, "notes.txt")
    assert sandbox.control.doi(notes_doi) is None
    assert file_rows(draft)["notes.txt"].desired_state == DOIState.NONE

    record = service.publish(system_identity, draft.id)
    record_doi = record.data["pids"]["doi"]["identifier"].lower()
    remote = sandbox.control.doi(csv_doi)
    assert remote["state"] == "findable"
    assert related(remote["attributes"], "IsPartOf") == [record_doi]
    assert remote["attributes"]["sizes"] == ["8 bytes"]
    assert remote["attributes"]["formats"] == ["text/csv"]
    assert remote["url"] == f"https://repo.example.org/doi/{csv_doi}"
    assert related(sandbox.control.doi(record_doi)["attributes"], "HasPart") == [csv_doi]


def _new_version(service, record, record_data, upload, files):
    """A new version that imports the files of ``record`` and adds ``files``; published."""
    draft = service.new_version(system_identity, record.id)
    data = draft.data
    data["metadata"] = record_data(title="Sea surface temperatures, second release")["metadata"]
    service.update_draft(system_identity, draft.id, data)
    service.import_files(system_identity, draft.id)
    upload(draft.id, files)
    return draft, service.publish(system_identity, draft.id)


def test_new_version_keeps_the_dois_of_unchanged_files_and_mints_new_ones(
    service, draft_with_files, record_data, upload, sandbox
):
    first = service.publish(system_identity, draft_with_files({"data.csv": b"a,b\n1,2\n"}).id)
    first_doi = first.data["pids"]["doi"]["identifier"].lower()
    kept = file_rows(first)["data.csv"].doi

    draft, second = _new_version(service, first, record_data, upload, {"more.csv": b"c\n3\n"})
    second_doi = second.data["pids"]["doi"]["identifier"].lower()
    minted = file_rows(second)
    assert sorted(minted) == ["more.csv"]  # the imported file got no new DOI
    added = minted["more.csv"].doi
    assert added != kept

    # The kept file's DOI still belongs to the first version; the new one to the second.
    assert related(sandbox.control.doi(kept)["attributes"], "IsPartOf") == [first_doi]
    remote_added = sandbox.control.doi(added)
    assert remote_added["state"] == "findable"
    assert related(remote_added["attributes"], "IsPartOf") == [second_doi]
    # The second version lists both of its files' DOIs; the first only its own.
    assert sorted(related(sandbox.control.doi(second_doi)["attributes"], "HasPart")) == sorted([kept, added])
    assert related(sandbox.control.doi(first_doi)["attributes"], "HasPart") == [kept]


def test_a_file_replaced_in_a_new_version_gets_a_new_doi(
    service, draft_with_files, record_data, upload, sandbox
):
    first = service.publish(system_identity, draft_with_files({"data.csv": b"a,b\n1,2\n"}).id)
    old = file_rows(first)["data.csv"].doi
    draft = service.new_version(system_identity, first.id)
    data = draft.data
    data["metadata"] = record_data()["metadata"]
    service.update_draft(system_identity, draft.id, data)
    service.import_files(system_identity, draft.id)
    service.draft_files.delete_file(system_identity, draft.id, "data.csv")
    upload(draft.id, {"data.csv": b"a,b\n1,2\n3,4\n"})
    second = service.publish(system_identity, draft.id)

    new = file_rows(second)["data.csv"].doi
    assert new != old
    assert sandbox.control.doi(new)["state"] == "findable"
    assert sandbox.control.doi(old)["state"] == "findable"  # it still identifies the first version's file
    second_doi = second.data["pids"]["doi"]["identifier"].lower()
    assert related(sandbox.control.doi(second_doi)["attributes"], "HasPart") == [new]


def test_tombstone_hides_the_file_dois_and_restore_shows_them(service, draft_with_files, sandbox):
    record = service.publish(system_identity, draft_with_files({"data.csv": b"1", "b.txt": b"22"}).id)
    dois = [row.doi for row in file_rows(record).values()]
    assert [sandbox.control.doi(doi)["state"] for doi in dois] == ["findable", "findable"]

    service.delete_record(system_identity, record.id, {})
    assert [sandbox.control.doi(doi)["state"] for doi in dois] == ["registered", "registered"]
    assert [row.desired_state for row in file_rows(record).values()] == [DOIState.REGISTERED] * 2

    service.restore_record(system_identity, record.id)
    assert [sandbox.control.doi(doi)["state"] for doi in dois] == ["findable", "findable"]


def test_discarding_a_draft_deletes_its_file_draft_dois(service, draft_with_files, sandbox):
    draft = draft_with_files({"data.csv": b"1"})
    doi = file_rows(draft)["data.csv"].doi
    assert sandbox.control.doi(doi)["state"] == "draft"
    service.delete_draft(system_identity, draft.id)
    assert sandbox.control.doi(doi) is None


def test_without_reservation_on_draft_the_file_doi_waits_for_publish(
    service, draft_with_files, set_config, sandbox
):
    set_config(DOI_EXT_RESERVE_ON_DRAFT=False)
    draft = draft_with_files({"data.csv": b"1"})
    row = file_rows(draft)["data.csv"]
    assert (row.desired_state, row.hold) == (DOIState.NONE, "pending")
    assert sandbox.control.doi(row.doi) is None

    service.publish(system_identity, draft.id)
    assert file_rows(draft)["data.csv"].doi == row.doi  # the same DOI, not a second one
    assert sandbox.control.doi(row.doi)["state"] == "findable"


def test_the_file_payload_passes_datacite_s_rules(service, draft_with_files, sandbox):
    from invenio_doi_ext.metadata import validation

    record = service.publish(system_identity, draft_with_files({"data.csv": b"1"}).id)
    row = file_rows(record)["data.csv"]
    assert validation.validate(row.desired_payload, doi=row.doi, url=row.desired_url) == []
    attributes = sandbox.control.doi(row.doi)["attributes"]
    assert attributes["types"] == {"resourceTypeGeneral": "Dataset", "resourceType": "File"}
    assert attributes["creators"][0]["name"] == "Brown, Troy"
    assert attributes["publisher"]["name"] == "Example Repository"
    assert attributes["publicationYear"] == "2024"
