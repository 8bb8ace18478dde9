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
