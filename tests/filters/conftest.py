"""Fixtures of the DOI filter tests: configurable filters, communities, files, users, the CLI.

DOIs are minted with a random suffix here, so that "the same DOI comes back" can
only be true because the set-aside DOI was remembered, not because
``{prefix}/{id}`` happens to produce it again.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from invenio_access.permissions import system_identity


def random_doi(prefix: str, record: Any) -> str:
    """A DOI that minting never produces twice."""
    return f"{prefix}/flt-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Random DOIs; the filters are set per test."""
    return {"DATACITE_FORMAT": random_doi}



@pytest.fixture
def add_file(service: Any) -> Callable[[str], None]:
    """Upload and commit one file to a draft through the draft files service."""

    def _add(draft_id: str, key: str = "data.csv") -> None:
        files = service.draft_files
        files.init_files(system_identity, draft_id, [{"key": key}])
        files.set_file_content(system_identity, draft_id, key, io.BytesIO(b"a,b\n1,2\n"))
        files.commit_file(system_identity, draft_id, key)

    return _add


@pytest.fixture
def draft_with_doi(service: Any, sandbox: Any) -> Callable[[dict], tuple[str, str]]:
    """A draft that asked for a DOI ("Get a DOI now"), then saved by the form: (id, DOI)."""

    def _make(data: dict) -> tuple[str, str]:
        draft_id = service.create(system_identity, data).id
        service.pids.create(system_identity, draft_id, "doi")
        form = service.read_draft(system_identity, draft_id).data
        saved = service.update_draft(system_identity, draft_id, form)
        return draft_id, saved.data["pids"]["doi"]["identifier"]

    return _make
