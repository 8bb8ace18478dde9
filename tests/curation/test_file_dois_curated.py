"""File DOIs of a curated record stay DataCite drafts until a curator accepts its DOI request."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from curation_helpers import request_of
from invenio_access.permissions import system_identity

from invenio_doi_ext.lifecycle.models import DOIKind, ManagedDOI


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Curated DOI requests, and file DOIs."""
    return {
        "DOI_EXT_CURATION_REQUIRED": True,
        "DOI_EXT_CURATOR_ROLE": "doi-curators",
        "DOI_EXT_FILE_DOIS": True,
    }


def test_file_dois_wait_for_the_curator_with_their_record(
    service, record_data, depositor, curator, requests_service, sandbox, db
):
    draft = service.create(depositor.identity, record_data(files={"enabled": True}))
    files = service.draft_files
    files.init_files(system_identity, draft.id, [{"key": "data.csv"}])
    files.set_file_content(system_identity, draft.id, "data.csv", BytesIO(b"a,b\n1,2\n"))
    files.commit_file(system_identity, draft.id, "data.csv")
    record = service.publish(depositor.identity, draft.id)
    file_doi = ManagedDOI.query.filter_by(kind=DOIKind.FILE).one().doi
    assert sandbox.control.doi(file_doi)["state"] == "draft"

    requests_service.execute_action(curator.identity, request_of(record).id, "accept")
    assert sandbox.control.doi(file_doi)["state"] == "findable"
    record_doi = record.data["pids"]["doi"]["identifier"].lower()
    assert sandbox.control.doi(record_doi)["state"] == "findable"
    parts = [
        item["relatedIdentifier"].lower()
        for item in sandbox.control.doi(record_doi)["attributes"]["relatedIdentifiers"]
        if item["relationType"] == "HasPart"
    ]
    assert parts == [file_doi]
