"""With DOI_EXT_FILE_DOIS off (the default), records with files mint no file DOI and list none."""

from __future__ import annotations

from typing import Any

import pytest
from files_helpers import related
from invenio_access.permissions import system_identity

from invenio_doi_ext.lifecycle.models import DOIKind, ManagedDOI


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """The default: no file DOIs."""
    return {}


def test_no_file_doi_is_minted_and_the_record_lists_none(
    service, draft_with_files, record_data, upload, sandbox
):
    draft = draft_with_files({"data.csv": b"a,b\n1,2\n", "notes.txt": b"hello"})
    record = service.publish(system_identity, draft.id)
    new = service.new_version(system_identity, record.id)
    data = new.data
    data["metadata"] = record_data()["metadata"]
    service.update_draft(system_identity, new.id, data)
    service.import_files(system_identity, new.id)
    upload(new.id, {"more.csv": b"3"})
    second = service.publish(system_identity, new.id)
    service.delete_record(system_identity, record.id, {})

    assert ManagedDOI.query.filter_by(kind=DOIKind.FILE).count() == 0
    entries = service.read(system_identity, second.id).data["files"]["entries"]
    assert sorted(entries) == ["data.csv", "more.csv", "notes.txt"]
    assert all("doi" not in entry for entry in entries.values())
    for each in (record, second):
        doi = each.data["pids"]["doi"]["identifier"]
        assert related(sandbox.control.doi(doi)["attributes"], "HasPart") == []
    assert sorted(d["doi"] for d in sandbox.control.dois()) == sorted(_record_dois(record, second))


def _record_dois(*records):
    found = set()
    for each in records:
        found.add(each.data["pids"]["doi"]["identifier"].lower())
        found.add(each.data["parent"]["pids"]["doi"]["identifier"].lower())
    return found
