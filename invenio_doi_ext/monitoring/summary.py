"""The numbers operators watch: DOIs by derived state, lag, breaker, DataCite calls.

Read by the metrics route, ``invenio doi stats`` and the health check. Each
figure costs the same at ten million DOIs as at ten: on PostgreSQL the counts
come from the maintained summary (``monitoring.models``), the ages from one
probe of an index each. The derived state names are computed from each state
signature by :func:`invenio_doi_ext.lifecycle.states.dspace_state`, the one
place that defines them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from invenio_db import db
from sqlalchemy import false, func, text
from sqlalchemy.orm import Query

from ..datacite.outcome import LOCAL_RATE_LIMIT
from ..lifecycle.models import BREAKER_ROW_ID, CircuitBreaker, DOIEvent, ManagedDOI, utcnow
from ..lifecycle.states import dspace_state, status_label
from . import ddl
from .models import OUT_OF_SYNC_SINCE, CallCount, StateCount

M = ManagedDOI


@dataclass
class Summary:
    """A snapshot of the figures; ``source`` says where the counts came from."""

    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    """DSpace state names (``IS_REGISTERED``, ``TO_BE_REGISTERED`` ...) to counts."""

    by_label: dict[str, int] = field(default_factory=dict)
    """The one-word labels of the admin list (``findable``, ``failed`` ...) to counts."""

    out_of_sync: int = 0
    failed: int = 0
    oldest_out_of_sync_seconds: float | None = None
    oldest_due_seconds: float | None = None
    """How long the most overdue DOI has been waiting for a worker (``None``: none due)."""

    breaker_open: bool = False
    breaker_paused_until: datetime | None = None
    breaker_failures: int = 0
    breaker_reason: str | None = None
    """The fields above are the ``default`` account's breaker (the ``DATACITE_*`` keys)."""

    breakers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every account's breaker that exists (``open``, ``paused_until``, ``consecutive_failures``,
    ``reason``): a 401 of one account pauses that account only."""

    calls: dict[tuple[str, str], int] = field(default_factory=dict)
    """(outcome, HTTP status class) to the number of calls DataCite was sent."""

    rate_limit_waits: dict[str, int] = field(default_factory=dict)
    """``local`` (our limiter had no slot: nothing sent) and ``datacite`` (a 429) to counts."""

    source: str = "summary"

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (``invenio doi stats --json``)."""
        return {
            "total": self.total,
            "by_state": dict(sorted(self.by_state.items())),
            "by_label": dict(sorted(self.by_label.items())),
            "out_of_sync": self.out_of_sync,
            "failed": self.failed,
            "oldest_out_of_sync_seconds": self.oldest_out_of_sync_seconds,
            "oldest_due_seconds": self.oldest_due_seconds,
            "breaker": {
                "open": self.breaker_open,
                "paused_until": self.breaker_paused_until.isoformat() if self.breaker_paused_until else None,
                "consecutive_failures": self.breaker_failures,
                "reason": self.breaker_reason,
            },
            "breakers": self.breakers,
            "calls": [
                {"outcome": outcome, "status_class": status_class, "count": count}
                for (outcome, status_class), count in sorted(self.calls.items())
            ],
            "rate_limit_waits": dict(sorted(self.rate_limit_waits.items())),
            "source": self.source,
        }


def maintained() -> bool:
    """True where triggers keep the summary (PostgreSQL)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _signature_rows(from_summary: bool) -> list[tuple]:
    if from_summary:
        columns = (
            StateCount.desired_state, StateCount.remote_state, StateCount.in_sync, StateCount.failed,
            StateCount.hold, StateCount.retried, StateCount.sent,
        )  # fmt: skip
        return (
            db.session.query(*columns, func.sum(StateCount.n))
            .group_by(*columns)
            .having(func.sum(StateCount.n) != 0)
            .all()
        )
    columns = (
        M.desired_state, M.remote_state, M.in_sync, M.failed, M.hold,
        M.attempts > 0, M.remote_fingerprint.isnot(None),
    )  # fmt: skip
    return db.session.query(*columns, func.count(M.id)).group_by(*columns).all()


def _signature_row(desired, remote, in_sync, failed, hold, retried, sent) -> SimpleNamespace:
    """Something :func:`dspace_state` reads like a row, rebuilt from a signature."""
    return SimpleNamespace(
        desired_state=desired,
        remote_state=remote,
        in_sync=bool(in_sync),
        failed=bool(failed),
        hold=hold,
        attempts=1 if retried else 0,
        remote_fingerprint="sent" if sent else None,
    )


def _call_rows(from_summary: bool) -> list[tuple[str | None, str, str | None, int]]:
    if from_summary:
        columns = (CallCount.outcome, CallCount.status_class, CallCount.rate_limited)
        return db.session.query(*columns, func.sum(CallCount.n)).group_by(*columns).all()
    local = DOIEvent.message == LOCAL_RATE_LIMIT
    rows = (
        db.session.query(DOIEvent.outcome, DOIEvent.http_status, local, func.count(DOIEvent.id))
        .filter(DOIEvent.action == "call")
        .group_by(DOIEvent.outcome, DOIEvent.http_status, local)
        .all()
    )
    return [
        (outcome, status_class(status), "local" if is_local else "datacite" if status == 429 else None, n)
        for outcome, status, is_local, n in rows
    ]


def status_class(status: int | None) -> str:
    """``2xx`` ... ``5xx``, or ``none`` (no answer): the triggers' ``CASE`` in Python."""
    return "none" if status is None else f"{int(status) // 100}xx"


def _age(since: datetime | None, now: datetime) -> float | None:
    return max((now - since).total_seconds(), 0.0) if since is not None else None


def oldest_due_query(now: datetime) -> Query:
    """The most overdue row's ``next_attempt_at`` (out of sync, not failed): the due index's first entry."""
    return db.session.query(func.min(M.next_attempt_at)).filter(
        M.in_sync == false(), M.failed == false(), M.next_attempt_at <= now
    )


def oldest_due(now: datetime) -> datetime | None:
    """See :func:`oldest_due_query`."""
    return oldest_due_query(now).scalar()


def oldest_out_of_sync_query() -> Query:
    """When the longest-waiting out-of-sync DOI went out of sync: the partial index's first entry."""
    return db.session.query(func.min(OUT_OF_SYNC_SINCE)).filter(M.in_sync == false())


def oldest_out_of_sync() -> datetime | None:
    """See :func:`oldest_out_of_sync_query`."""
    return oldest_out_of_sync_query().scalar()


def breaker_state(now: datetime) -> tuple[bool, CircuitBreaker | None]:
    """(calls paused now, the breaker row)."""
    row = db.session.get(CircuitBreaker, BREAKER_ROW_ID)
    return bool(row is not None and row.paused_until and row.paused_until > now), row


def breakers_by_account(now: datetime) -> dict[str, dict[str, Any]]:
    """Each account's breaker (rows exist for ``default`` and every account that has called)."""
    found = {}
    for row in db.session.query(CircuitBreaker).order_by(CircuitBreaker.id):
        paused = bool(row.paused_until and row.paused_until > now)
        found[row.account] = {
            "open": paused,
            "paused_until": row.paused_until.isoformat() if paused else None,
            "consecutive_failures": row.consecutive_failures or 0,
            "reason": row.reason,
        }
    return found


def collect(now: datetime | None = None, *, from_table: bool = False) -> Summary:
    """Every figure, read now; ``from_table`` counts the tables themselves (the benchmark's baseline)."""
    now = now or utcnow()
    from_summary = maintained() and not from_table
    summary = Summary(source="summary" if from_summary else "table")
    states: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    for *signature, count in _signature_rows(from_summary):
        count = int(count or 0)
        row = _signature_row(*signature)
        states[dspace_state(row)] += count
        labels[status_label(row)] += count
        summary.total += count
        if not row.in_sync:
            summary.out_of_sync += count
        if row.failed:
            summary.failed += count
    summary.by_state = {name: n for name, n in states.items() if n}
    summary.by_label = {name: n for name, n in labels.items() if n}
    summary.oldest_out_of_sync_seconds = _age(oldest_out_of_sync(), now) if summary.out_of_sync else None
    summary.oldest_due_seconds = _age(oldest_due(now), now)
    summary.breaker_open, row = breaker_state(now)
    if row is not None:
        summary.breaker_paused_until = row.paused_until
        summary.breaker_failures = row.consecutive_failures or 0
        summary.breaker_reason = row.reason
    summary.breakers = breakers_by_account(now)
    calls: Counter[tuple[str, str]] = Counter()
    waits: Counter[str] = Counter({"local": 0, "datacite": 0})
    for outcome, status_class, limited, count in _call_rows(from_summary):
        count = int(count or 0)
        if limited:
            waits[limited] += count
        if limited != "local":  # nothing was sent
            calls[(outcome or "unknown", status_class)] += count
    summary.calls = dict(calls)
    summary.rate_limit_waits = dict(waits)
    return summary


def compact() -> None:
    """Collapse the summary's +1/-1 rows (the monitoring beat task, every sweep interval)."""
    if maintained():
        for statement in ddl.COMPACT:
            db.session.execute(text(statement))


def rebuild() -> None:
    """Recount the summary from the tables (one full scan; ``invenio doi stats --rebuild``)."""
    if maintained():
        for statement in ddl.POPULATE:
            db.session.execute(text(statement))
