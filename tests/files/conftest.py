"""Fixtures of the file DOI tests: file DOIs on, records with real files."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from invenio_access.permissions import system_identity


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """File DOIs on for the whole instance."""
    return {"DOI_EXT_FILE_DOIS": True}


@pytest.fixture
def upload(service: Any) -> Callable[..., None]:
    """Upload files to a draft through the real draft files service (init, content, commit)."""

    def _upload(draft_id: str, files: dict[str, bytes]) -> None:
        service.draft_files.init_files(system_identity, draft_id, [{"key": key} for key in files])
        for key, content in files.items():
            service.draft_files.set_file_content(system_identity, draft_id, key, BytesIO(content))
            service.draft_files.commit_file(system_identity, draft_id, key)

    return _upload


@pytest.fixture
def draft_with_files(service: Any, record_data: Callable[..., dict], upload: Callable, db: Any) -> Callable:
    """A draft of a record with files, uploaded through the real service; returns the draft item."""

    def _make(files: dict[str, bytes], **overrides: Any) -> Any:
        data = record_data(files={"enabled": True}, **overrides)
        draft = service.create(system_identity, data)
        upload(draft.id, files)
        return service.read_draft(system_identity, draft.id)

    return _make

