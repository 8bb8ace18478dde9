"""Back-off per DataCite account: stop calls when DataCite refuses an account or is down.

Without it, a wrong password or a long outage would burn each row through its
attempts; with it, rows keep their place and resume together. Each account has
its own breaker: a wrong password of one account (401) pauses that account's
DOIs only, while the others keep converging. An outage of DataCite shows on
every account's calls, and opens each account's breaker in turn.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from invenio_db import db
from sqlalchemy.exc import IntegrityError

from .. import settings
from .models import BREAKER_ROW_ID, CircuitBreaker, utcnow

DEFAULT = settings.DEFAULT_ACCOUNT


class BreakerMissingError(RuntimeError):
    """The breaker's row is made with its table; without it the schema is not up to date."""

    def __init__(self) -> None:
        super().__init__(
            "The table doi_ext_breaker has no row: run `invenio alembic upgrade` "
            "(the invenio_doi_ext branch makes it)."
        )


def _settings() -> tuple[int, float]:
    return tuple(settings.circuit_breaker())


def _query(account: str, lock: bool):
    query = db.session.query(CircuitBreaker).filter(CircuitBreaker.account == account)
    return query.with_for_update() if lock else query


def _row(lock: bool, account: str = DEFAULT) -> CircuitBreaker:
    row = _query(account, lock).one_or_none()
    if row is not None:
        return row
    if account == DEFAULT:
        raise BreakerMissingError()
    _create(account)
    return _query(account, lock).one()


def _create(account: str) -> None:
    """Make another account's row; a worker that made it at the same time wins, harmlessly."""
    if db.session.query(CircuitBreaker.id).filter(CircuitBreaker.id == BREAKER_ROW_ID).first() is None:
        raise BreakerMissingError()
    highest = db.session.query(db.func.max(CircuitBreaker.id)).scalar() or BREAKER_ROW_ID
    try:
        with db.session.begin_nested():
            db.session.add(
                CircuitBreaker(id=highest + 1, account=account, consecutive_failures=0, updated=utcnow())
            )
    except IntegrityError:
        pass  # another worker made it (same account) or took the id: read or retry below
    if _query(account, lock=False).one_or_none() is None:
        _create(account)


def state(account: str = DEFAULT) -> CircuitBreaker:
    """One account's breaker as it stands, for display."""
    return _row(lock=False, account=account)


def states() -> list[CircuitBreaker]:
    """Every breaker that exists, ``default`` first (others appear on their first call)."""
    _row(lock=False)
    return db.session.query(CircuitBreaker).order_by(CircuitBreaker.id).all()


def paused_accounts(now: datetime | None = None) -> list[str]:
    """Accounts whose calls are paused now (the sweep leaves their DOIs for later)."""
    now = now or utcnow()
    query = db.session.query(CircuitBreaker.account).filter(CircuitBreaker.paused_until > now)
    return [account for (account,) in query]


def paused_until(now: datetime | None = None, account: str = DEFAULT) -> datetime | None:
    """When an account's calls may resume, or ``None`` when they are allowed now."""
    now = now or utcnow()
    row = _row(lock=False, account=account)
    if row.paused_until and row.paused_until > now:
        return row.paused_until
    return None


def record_success(account: str = DEFAULT) -> None:
    """A call went through: close the account's breaker if it had counted failures."""
    row = _row(lock=False, account=account)
    if row.consecutive_failures or row.paused_until:
        row = _row(lock=True, account=account)
        row.consecutive_failures = 0
        row.paused_until = None
        row.reason = None


def record_failure(reason: str, account: str = DEFAULT) -> datetime | None:
    """A 5xx or connection failure; open the account's breaker after too many in a row."""
    threshold, pause = _settings()
    row = _row(lock=True, account=account)
    row.consecutive_failures += 1
    if row.consecutive_failures >= threshold:
        row.paused_until = utcnow() + timedelta(seconds=pause)
        row.reason = f"{row.consecutive_failures} consecutive failures; last: {reason}"
        return row.paused_until
    return None


def trip(reason: str, account: str = DEFAULT) -> datetime:
    """Open the account's breaker at once (bad credentials: every call of it would fail)."""
    _, pause = _settings()
    row = _row(lock=True, account=account)
    row.paused_until = utcnow() + timedelta(seconds=pause)
    row.reason = reason
    return row.paused_until


def reset(account: str | None = None) -> None:
    """Operator override: resume calls now, of one account or (``None``) of every account."""
    rows = [_row(lock=True, account=account)] if account else _all_locked()
    for row in rows:
        row.consecutive_failures = 0
        row.paused_until = None
        row.reason = None


def _all_locked() -> list[CircuitBreaker]:
    _row(lock=False)
    return db.session.query(CircuitBreaker).order_by(CircuitBreaker.id).with_for_update().all()
