"""Fixtures of the REST API tests: users with and without rights, records.

The shared ones (``make_user``, ``owner``, ``admin``, ``login``) are in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from invenio_access.permissions import superuser_access, system_identity

from invenio_doi_ext.lifecycle.store import Target, set_desired
from invenio_doi_ext.lifecycle.touched import take_touched


@pytest.fixture
def other(make_user: Callable) -> Any:
    """An authenticated user with no relation to the records."""
    return make_user("other@example.org")


@pytest.fixture
def superuser(make_user: Callable) -> Any:
    """A superuser (``superuser-access``)."""
    return make_user("root@example.org", actions=(superuser_access,))


@pytest.fixture
def owned_record(service: Any, owner: Any, record_data: Callable, sandbox: Any) -> Callable[..., Any]:
    """Publish a record as ``owner`` through the real service (its DOI converges at once)."""

    def _publish(**overrides: Any) -> Any:
        draft = service.create(owner.identity, record_data(**overrides))
        return service.publish(owner.identity, draft.id)

    return _publish


@pytest.fixture
def waiting_draft(service: Any, db: Any, record_data: Callable, sandbox: Any) -> Callable[[], str]:
    """A never-published draft whose DataCite DOI is minted but not reserved; returns the DOI."""

    def _draft() -> str:
        draft = service.create(system_identity, record_data())
        result = service.pids.create(system_identity, draft.id, "doi")
        take_touched(db.session)  # as if the broker lost the message
        return result.data["pids"]["doi"]["identifier"].lower()

    return _draft


@pytest.fixture
def make_foreign_row(db: Any) -> Callable[[], str]:
    """A managed DOI under a prefix the DataCite account does not own (DataCite answers 403)."""

    def _make() -> str:
        row = set_desired(
            "10.9999/foreign",
            Target("findable", {"titles": [{"title": "Foreign"}]}, "https://repo.example.org/x"),
        )
        take_touched(db.session)
        db.session.commit()
        return row.doi

    return _make
