"""UI app fixtures for the view tests (see ``ui_harness``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ui_harness import (
    REFUSED_DOMAINS,
    DomainSandbox,
    create_user,
    ui_config,
)


@pytest.fixture(scope="module")
def create_app(instance_path: str) -> Callable:
    """The UI application (with the REST API under /api), as InvenioRDM builds it."""
    from invenio_app.factory import create_app as create_ui

    return create_ui


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """UI configuration: no frontend bundle, CSRF on, our side-bar block."""
    return ui_config()


@pytest.fixture
def users(app: Any, db: Any) -> dict[str, Any]:
    """An administrator, a depositor (record owner) and another user."""
    from invenio_accounts.proxies import current_datastore

    return {
        "admin": create_user(current_datastore, "admin@example.org", "admin-pass-123", admin=True),
        "owner": create_user(current_datastore, "owner@example.org", "owner-pass-123"),
        "other": create_user(current_datastore, "other@example.org", "other-pass-123"),
    }


@pytest.fixture(scope="module")
def removal_reasons(app: Any, resource_types: None) -> None:
    """The vocabulary a tombstone needs (``removal_reason``)."""
    from invenio_access.permissions import system_identity
    from invenio_vocabularies.proxies import current_service as vocabulary_service
    from invenio_vocabularies.records.api import Vocabulary

    vocabulary_service.create_type(system_identity, "removalreasons", "rem")
    vocabulary_service.create(
        system_identity,
        {"id": "spam", "type": "removalreasons", "title": {"en": "Spam"}, "tags": ["deletion-request"]},
    )
    Vocabulary.index.refresh()


@pytest.fixture(autouse=True)
def fresh_csrf_token(app: Any) -> None:
    """Forget Flask-WTF's per-context token cache between tests.

    pytest-invenio keeps one application context pushed for the module, so the
    test client's requests share ``g``; Flask-WTF caches the signed token there,
    which would carry one test's token into the next test's new session.
    """
    from flask import g

    g.pop("csrf_token", None)


@pytest.fixture(scope="module")
def datacite_sandbox_server() -> Iterator[DomainSandbox]:
    """This module's own sandbox, whose domain settings the tests change."""
    server = DomainSandbox()
    yield server
    server.stop()


@pytest.fixture
def refused_domain(sandbox: DomainSandbox, app: Any) -> Iterator[DomainSandbox]:
    """DataCite's domain settings refuse the site's landing pages; restored afterwards."""
    from invenio_doi_ext.lifecycle.client import reset_gateway

    sandbox.set_allowed_domains(REFUSED_DOMAINS)
    reset_gateway()
    yield sandbox
    sandbox.set_allowed_domains(())
    reset_gateway()
