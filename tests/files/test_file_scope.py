"""Which files get a DOI: restricted files, the policy, communities, callables, size and type."""

from __future__ import annotations

import json

from files_helpers import file_rows, related
from invenio_access.permissions import system_identity

from invenio_doi_ext.lifecycle.models import DOIState

RESTRICTED_FILES = {"record": "public", "files": "restricted"}


def test_restricted_files_send_no_file_names_under_the_redacted_policy(service, draft_with_files, sandbox):
    draft = draft_with_files({"secret-patients.csv": b"x,y\n"}, access=RESTRICTED_FILES)
    doi = file_rows(draft)["secret-patients.csv"].doi
    reserved = sandbox.control.doi(doi)
    assert reserved["state"] == "draft"
    assert "secret-patients" not in json.dumps(reserved)
    assert "text/csv" not in json.dumps(reserved["attributes"])

    record = service.publish(system_identity, draft.id)
    record_doi = record.data["pids"]["doi"]["identifier"].lower()
    remote = sandbox.control.doi(doi)
    assert remote["state"] == "registered"  # resolvable, not in DataCite's search
    assert remote["attributes"]["titles"] == [{"title": "Restricted record"}]
    assert related(remote["attributes"], "IsPartOf") == [record_doi]  # the record itself is public
    every_call = json.dumps(sandbox.control.journal())
    assert "secret-patients" not in every_call
    # The public record does not list its restricted files.
    assert related(sandbox.control.doi(record_doi)["attributes"], "HasPart") == []


def test_a_restricted_record_s_files_hold_only_the_template(service, draft_with_files, sandbox):
    draft = draft_with_files({"diary.txt": b"dear"}, access={"record": "restricted", "files": "restricted"})
    service.publish(system_identity, draft.id)
    remote = sandbox.control.doi(file_rows(draft)["diary.txt"].doi)
    assert remote["state"] == "registered"
    assert related(remote["attributes"], "IsPartOf") == []
    assert "diary" not in json.dumps(sandbox.control.journal())


def test_restricted_files_get_no_doi_under_the_none_policy(service, draft_with_files, set_config, sandbox):
    set_config(DOI_EXT_RESTRICTED_POLICY="none")
    draft = draft_with_files({"data.csv": b"1"}, access=RESTRICTED_FILES)
    service.publish(system_identity, draft.id)
    assert file_rows(draft) == {}


def test_files_becoming_restricted_in_the_draft_are_redacted(service, draft_with_files, sandbox):
    draft = draft_with_files({"data.csv": b"1"})
    doi = file_rows(draft)["data.csv"].doi
    assert sandbox.control.doi(doi)["attributes"]["titles"] == [{"title": "data.csv"}]
    data = draft.data
    data["access"] = RESTRICTED_FILES
    service.update_draft(system_identity, draft.id, data)
    assert sandbox.control.doi(doi)["attributes"]["titles"] == [{"title": "Restricted record"}]


def test_per_community_mapping(
    service, record_data, upload, set_config, community, in_community, draft_with_files, sandbox
):
    chosen = community("oceans")
    other = community("deserts")
    set_config(DOI_EXT_FILE_DOIS={"oceans": True, "deserts": False})

    assert file_rows(draft_with_files({"a.csv": b"1"})) == {}  # in no community
    found = {}
    for slug, comm in (("oceans", chosen), ("deserts", other)):
        draft = service.create(system_identity, record_data(files={"enabled": True}))
        in_community(draft.id, comm)
        upload(draft.id, {"b.csv": b"2"})
        found[slug] = sorted(file_rows(draft))
    assert found == {"oceans": ["b.csv"], "deserts": []}


def about_the_sea(record):
    """A callable DOI_EXT_FILE_DOIS: records whose title names the sea only."""
    return "Sea" in record["metadata"]["title"]


def test_callable_decides(draft_with_files, set_config, sandbox):
    set_config(DOI_EXT_FILE_DOIS=about_the_sea)
    assert sorted(file_rows(draft_with_files({"a.csv": b"1"}))) == ["a.csv"]
    assert file_rows(draft_with_files({"a.csv": b"1"}, title="Land temperatures")) == {}


def test_size_and_type_limits(draft_with_files, set_config, sandbox):
    set_config(
        DOI_EXT_FILE_DOIS_MIN_SIZE=2, DOI_EXT_FILE_DOIS_MAX_SIZE=10, DOI_EXT_FILE_DOIS_TYPES=["text/*", ".nc"]
    )
    draft = draft_with_files(
        {
            "tiny.txt": b"1",
            "fine.txt": b"12345",
            "huge.txt": b"x" * 11,
            "grid.nc": b"CDF12",
            "pic.png": b"12345",
        }
    )
    assert sorted(file_rows(draft)) == ["fine.txt", "grid.nc"]


def test_a_draft_with_a_reserved_doi_links_its_files_at_once(service, draft_with_files, sandbox):
    draft = draft_with_files({"a.csv": b"1"})
    service.pids.create(system_identity, draft.id, "doi")
    saved = service.update_draft(
        system_identity, draft.id, service.read_draft(system_identity, draft.id).data
    )
    record_doi = saved.data["pids"]["doi"]["identifier"].lower()
    row = file_rows(draft)["a.csv"]
    assert row.account == "default" and row.desired_state == DOIState.DRAFT
    assert related(sandbox.control.doi(row.doi)["attributes"], "IsPartOf") == [record_doi]
