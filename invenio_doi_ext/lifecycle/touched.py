"""Rows a transaction changed that need a worker once it commits, kept on the session.

Apart from ``enqueue`` (which sends them) so that the store can note a row
without depending on the Celery tasks that converge it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

_KEY = "doi_ext_touched"


def touch(session: Session, row_id: int, countdown: float) -> None:
    """Remember that a row must be converged once this transaction commits."""
    touched = session.info.setdefault(_KEY, {})
    touched[row_id] = max(countdown, touched.get(row_id, 0.0))


def forget(session: Session, row_id: int) -> None:
    """A row touched in this transaction that turned out to need no call (e.g. adopted in sync)."""
    session.info.get(_KEY, {}).pop(row_id, None)


def take_touched(session: Session) -> dict[int, float]:
    """Row ids (with their delay) touched so far, removing them from the session."""
    return session.info.pop(_KEY, {}) or {}


def drop_touched(session: Session) -> None:
    """The whole transaction rolled back: nothing it touched is to be sent."""
    session.info.pop(_KEY, None)
