"""Rows a transaction changed that need a worker once it commits, kept on the session.

Apart from ``enqueue`` (which sends them) so that the store can note a row
without depending on the Celery tasks that converge it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

_KEY = "doi_ext_touched"


def touch(session: Session, row: Any, countdown: float) -> None:
    """Remember that a row must be converged once this transaction commits.

    The row itself is kept, not its id: a row created in this transaction gets
    its id only at the flush of the commit, and the request does not flush early
    to learn it.
    """
    touched = session.info.setdefault(_KEY, {})
    touched[row] = max(countdown, touched.get(row, 0.0))


def forget(session: Session, row: Any) -> None:
    """A row touched in this transaction that turned out to need no call (e.g. adopted in sync)."""
    session.info.get(_KEY, {}).pop(row, None)


def take_touched(session: Session) -> dict[int, float]:
    """Row ids (with their delay) touched so far, removing them from the session.

    Called once the transaction committed, when every row has its id (read from
    the identity map, so an expired row is not loaded again).
    """
    touched = session.info.pop(_KEY, {}) or {}
    ids: dict[int, float] = {}
    for row, countdown in touched.items():
        identity = inspect(row).identity
        if identity is not None:
            ids[identity[0]] = max(countdown, ids.get(identity[0], 0.0))
    return ids


def drop_touched(session: Session) -> None:
    """The whole transaction rolled back: nothing it touched is to be sent."""
    session.info.pop(_KEY, None)
