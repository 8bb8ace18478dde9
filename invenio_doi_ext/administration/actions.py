"""The operator's retry, as the administration page performs it.

A failed row is not retried by the workers until its payload changes; an
operator who has fixed the cause (at DataCite, or in the configuration) clears
the failure, makes the row due now and hands it to a worker. The change and the
enqueue are separate steps on purpose: the row is committed first, so that a
lost broker message still leaves it to the sweep.
"""

from __future__ import annotations

from invenio_db import db

from ..lifecycle.enqueue import send
from ..lifecycle.models import ManagedDOI
from ..lifecycle.store import normalize
from ..resources import operations


def query_problems():
    """Failed or out-of-sync rows, failures first, most recently changed first."""
    return (
        db.session.query(ManagedDOI)
        .filter(ManagedDOI.failed.is_(True) | ManagedDOI.in_sync.is_(False))
        .order_by(ManagedDOI.failed.desc(), ManagedDOI.updated.desc(), ManagedDOI.id.desc())
    )


def find(doi: str) -> ManagedDOI | None:
    """A row by DOI (case-insensitive), or None."""
    return db.session.query(ManagedDOI).filter(ManagedDOI.doi == normalize(doi)).one_or_none()


def retry(doi: str, *, actor: str) -> ManagedDOI | None:
    """Clear the failure, make the row due now, record who asked, enqueue its convergence."""
    row = (
        db.session.query(ManagedDOI)
        .filter(ManagedDOI.doi == normalize(doi))
        .with_for_update()
        .one_or_none()
    )
    if row is None:
        db.session.rollback()
        return None
    was_failed = row.failed
    message = "retry requested from the administration page" + (" (failure cleared)" if was_failed else "")
    operations.retry(row, actor, message)
    row_id, in_sync = row.id, row.in_sync
    db.session.commit()
    if not in_sync:
        send(row_id)  # routed to DOI_EXT_TASK_QUEUE like every lifecycle task
    db.session.expire_all()
    return db.session.get(ManagedDOI, row_id)
