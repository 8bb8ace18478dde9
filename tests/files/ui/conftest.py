"""The UI application (as in ``tests/views``), with file DOIs on."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "views"))

from ui_harness import create_user, ui_config  # noqa: E402


@pytest.fixture(scope="module")
def create_app(instance_path: str) -> Callable:
    """The UI application (with the REST API under /api), as InvenioRDM builds it."""
    from invenio_app.factory import create_app as create_ui

    return create_ui


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """UI configuration without a frontend bundle; file DOIs on."""
    return {**ui_config(), "DOI_EXT_FILE_DOIS": True}


@pytest.fixture
def admin_user(app: Any, db: Any) -> Any:
    """An administrator (sees every file DOI with its status)."""
    from invenio_accounts.proxies import current_datastore

    return create_user(current_datastore, "admin@example.org", "admin-pass-123", admin=True)


@pytest.fixture(autouse=True)
def fresh_csrf_token(app: Any) -> None:
    """Forget Flask-WTF's per-context token cache between tests (see tests/views/conftest.py)."""
    from flask import g

    g.pop("csrf_token", None)
