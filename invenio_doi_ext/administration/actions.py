"""What the administration page reads and does: the problem list, and the operator's retry.

A failed row is not retried by the workers until its payload changes; an
operator who has fixed the cause (at DataCite, or in the configuration) clears
the failure through the same service call as ``invenio doi retry``: the row is
committed first and then handed to a worker, so a lost broker message still
leaves it to the sweep.
"""

from __future__ import annotations

from flask import g
from invenio_db import db

from ..lifecycle.models import ManagedDOI
from ..lifecycle.store import get_row
from ..services.dois import DOIService
from ..services.errors import DOINotManagedError


def query_problems():
    """Failed or out-of-sync rows, failures first, most recently changed first."""
    return (
        db.session.query(ManagedDOI)
        .filter(ManagedDOI.failed.is_(True) | ManagedDOI.in_sync.is_(False))
        .order_by(ManagedDOI.failed.desc(), ManagedDOI.updated.desc(), ManagedDOI.id.desc())
    )


def find(doi: str) -> ManagedDOI | None:
    """A row by DOI (case-insensitive), or None."""
    return get_row(doi)


def retry(doi: str, *, actor: str) -> ManagedDOI | None:
    """The operator's retry (``DOIService.retry``), or None when the DOI is not managed."""
    row = get_row(doi)
    if row is None:
        db.session.rollback()
        return None
    was_failed = row.failed
    message = "retry requested from the administration page" + (" (failure cleared)" if was_failed else "")
    try:
        retried, _ = DOIService().retry(g.identity, doi, actor=actor, message=message)
    except DOINotManagedError:
        return None
    db.session.expire_all()
    return db.session.get(ManagedDOI, retried.id)
