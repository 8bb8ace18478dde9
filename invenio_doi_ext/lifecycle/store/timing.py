"""How long the store waits: coalescing, leases, back-off (read through ``settings``)."""

from __future__ import annotations

import random

from ... import settings


def coalesce_seconds() -> float:
    """Delay of the first send after a change, so a burst of edits is one call."""
    return settings.coalesce_seconds()


def lease_seconds() -> float:
    """How long a claimed row stays with its worker: a worker killed mid-call delays it this long."""
    return settings.lease_seconds()


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Exponential back-off with jitter, capped; DataCite's Retry-After wins if longer."""
    base, cap = settings.backoff()
    ceiling = min(cap, base * (2 ** max(attempts - 1, 0)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return delay
