"""Helpers for driving the lifecycle from tests: rows, due times, the sweep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from invenio_db import db

from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow


def row_of(doi: str) -> ManagedDOI:
    """The lifecycle row of a DOI, fresh from the database."""
    db.session.expire_all()
    return ManagedDOI.query.filter_by(doi=doi.lower()).one()


def make_due() -> None:
    """Time travel: every waiting row becomes due now (back-off and coalescing elapsed)."""
    ManagedDOI.query.filter(ManagedDOI.in_sync.is_(False)).update(
        {ManagedDOI.next_attempt_at: utcnow(), ManagedDOI.queued_at: None}, synchronize_session=False
    )
    db.session.commit()


def sweep_now() -> int:
    """Run the beat task once (Celery is eager: the converge tasks run inline)."""
    from invenio_doi_ext.lifecycle.tasks import sweep

    return sweep.apply().get()


def puts_to(journal: list[dict], doi: str) -> list[dict]:
    """Journal entries of PUT /dois/<doi> (case-insensitive)."""
    return [e for e in journal if e["method"] == "PUT" and e["path"].lower() == f"/dois/{doi.lower()}"]




def wait_for(probe: Callable[[], Any], seconds: float = 15.0, interval: float = 0.1) -> Any:
    """Poll until ``probe`` returns something truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {seconds} s")


def payload(title: str) -> dict:
    """A DataCite payload that registers, titled ``title``."""
    return {
        "creators": [{"name": "Doe, Jane", "nameType": "Personal"}],
        "titles": [{"title": title}],
        "publisher": {"name": "Example Repository"},
        "publicationYear": "2024",
        "types": {"resourceTypeGeneral": "Dataset"},
    }
