"""Instance-wide back-off: stop every worker when DataCite refuses us or is down.

Without it, a wrong password or a long outage would burn each row through its
attempts; with it, rows keep their place and resume together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from invenio_db import db

from .. import settings
from .models import BREAKER_ROW_ID, CircuitBreaker, utcnow


class BreakerMissingError(RuntimeError):
    """The breaker's row is made with its table; without it the schema is not up to date."""


def _settings() -> tuple[int, float]:
    return tuple(settings.circuit_breaker())


def _row(lock: bool) -> CircuitBreaker:
    query = db.session.query(CircuitBreaker).filter(CircuitBreaker.id == BREAKER_ROW_ID)
    if lock:
        query = query.with_for_update()
    row = query.one_or_none()
    if row is None:
        raise BreakerMissingError(
            "The table doi_ext_breaker has no row: run `invenio alembic upgrade` "
            "(the invenio_doi_ext branch makes it)."
        )
    return row


def state() -> CircuitBreaker:
    """The breaker as it stands, for display."""
    return _row(lock=False)


def paused_until(now: datetime | None = None) -> datetime | None:
    """When calls may resume, or ``None`` when they are allowed now."""
    now = now or utcnow()
    row = _row(lock=False)
    if row.paused_until and row.paused_until > now:
        return row.paused_until
    return None


def record_success() -> None:
    """A call went through: close the breaker if it had counted failures."""
    row = _row(lock=False)
    if row.consecutive_failures or row.paused_until:
        row = _row(lock=True)
        row.consecutive_failures = 0
        row.paused_until = None
        row.reason = None


def record_failure(reason: str) -> datetime | None:
    """A 5xx or connection failure; open the breaker after too many in a row."""
    threshold, pause = _settings()
    row = _row(lock=True)
    row.consecutive_failures += 1
    if row.consecutive_failures >= threshold:
        row.paused_until = utcnow() + timedelta(seconds=pause)
        row.reason = f"{row.consecutive_failures} consecutive failures; last: {reason}"
        return row.paused_until
    return None


def trip(reason: str) -> datetime:
    """Open the breaker at once (bad credentials: every call would fail)."""
    _, pause = _settings()
    row = _row(lock=True)
    row.paused_until = utcnow() + timedelta(seconds=pause)
    row.reason = reason
    return row.paused_until


def reset() -> None:
    """Operator override: resume calls now."""
    row = _row(lock=True)
    row.consecutive_failures = 0
    row.paused_until = None
    row.reason = None
