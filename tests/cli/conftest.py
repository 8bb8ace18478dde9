"""Fixtures of the ``invenio doi`` command tests: a runner, rows in any state, drafts with DOIs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from invenio_access.permissions import system_identity

from invenio_doi_ext.lifecycle.models import DOIEvent, ManagedDOI, utcnow
from invenio_doi_ext.lifecycle.touched import take_touched
from invenio_doi_ext.metadata.fingerprint import fingerprint


def valid_payload(doi: str) -> dict[str, Any]:
    """Metadata DataCite accepts for a findable DOI."""
    return {
        "creators": [{"name": "Brown, Troy", "nameType": "Personal"}],
        "titles": [{"title": f"Title of {doi}"}],
        "publisher": {"name": "Example Repository"},
        "publicationYear": "2024",
        "types": {"resourceTypeGeneral": "Dataset"},
    }


@pytest.fixture
def make_row(db: Any) -> Callable[..., ManagedDOI]:
    """Insert a lifecycle row directly, in any state (as a worker or an old version left it)."""

    def _make(doi: str, desired: str = "findable", remote: str = "findable", **fields: Any) -> ManagedDOI:
        payload = fields.pop("payload", valid_payload(doi))
        url = fields.pop("url", f"https://repo.example.org/doi/{doi}")
        desired_fp = fingerprint(payload, url) if desired != "none" else None
        row = ManagedDOI(
            doi=doi.lower(),
            pid_value=doi,
            kind="record",
            desired_state=desired,
            desired_payload=payload,
            desired_url=url,
            desired_fingerprint=desired_fp,
            remote_state=remote,
            remote_fingerprint=fields.pop("remote_fingerprint", desired_fp if remote != "none" else None),
            remote_url=fields.pop("remote_url", url if remote != "none" else None),
            attempts=fields.pop("attempts", 0),
            failed=fields.pop("failed", False),
            next_attempt_at=fields.pop("next_attempt_at", utcnow()),

            **fields,
        )
        db.session.add(row)
        db.session.flush()
        db.session.add(DOIEvent(doi_id=row.id, actor="test", action="desired", to_state=desired))
        db.session.commit()
        return row

    return _make


@pytest.fixture
def draft_with_doi(service: Any, db: Any, sandbox: Any) -> Callable[[], Any]:
    """A never-published draft with a DataCite DOI that DataCite does not hold yet.

    The DOI is minted through the pids service; the rows it touched are dropped
    from the session before anything enqueues them, as when a broker message is
    lost, so the row waits "to be reserved".
    """

    def _draft(data: dict | None = None) -> Any:
        from tests.conftest import minimal_record

        draft = service.create(system_identity, data or minimal_record())
        result = service.pids.create(system_identity, draft.id, "doi")
        take_touched(db.session)
        return result

    return _draft
