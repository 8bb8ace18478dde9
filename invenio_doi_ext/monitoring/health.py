"""``GET /api/dois/health``: can DOIs reach DataCite now? For load balancers and monitors.

503 while the breaker pauses calls, or when the most overdue DOI has waited
longer than ``DOI_EXT_HEALTH_MAX_LAG`` (workers stopped, or far behind); 200
otherwise. Two index probes, whatever the size of the table.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import settings
from ..lifecycle.models import utcnow
from . import summary


def max_lag() -> timedelta:
    """``DOI_EXT_HEALTH_MAX_LAG`` as a timedelta (seconds accepted)."""
    return settings.health_max_lag()


def check(now: datetime | None = None) -> tuple[bool, dict[str, Any]]:
    """(healthy, details); details are for administrators and the metrics token only."""
    now = now or utcnow()
    paused, row = summary.breaker_state(now)
    due = summary.oldest_due(now)
    lag = max((now - due).total_seconds(), 0.0) if due is not None else 0.0
    limit = max_lag().total_seconds()
    problems = []
    if paused:
        problems.append("breaker open: calls to DataCite are paused")
    for account, state in summary.breakers_by_account(now).items():
        if state["open"] and account != settings.DEFAULT_ACCOUNT:
            problems.append(f"breaker of account {account!r} open: its calls to DataCite are paused")
    if lag > limit:
        problems.append(f"oldest due DOI waited {lag:.0f} s (limit {limit:.0f} s): are the workers running?")
    details = {
        "status": "unavailable" if problems else "ok",
        "problems": problems,
        "breaker": {
            "open": paused,
            "paused_until": row.paused_until.isoformat() if paused and row.paused_until else None,
        },
        "oldest_due_seconds": lag,
        "max_lag_seconds": limit,
    }
    return not problems, details
