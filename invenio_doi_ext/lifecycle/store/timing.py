"""How long the store waits: coalescing, leases, back-off (defaults live in config.py)."""

from __future__ import annotations

import random

from flask import current_app


def coalesce_seconds() -> float:
    return float(current_app.config["DOI_EXT_COALESCE_SECONDS"] or 0)


def http_timeout() -> tuple[float, float]:
    value = current_app.config["DOI_EXT_HTTP_TIMEOUT"]
    if isinstance(value, (int, float)):
        return float(value), float(value)
    connect, read = value
    return float(connect), float(read)


def lease_seconds() -> float:
    """How long a claimed row stays with its worker: a worker killed mid-call delays it this long."""
    configured = current_app.config["DOI_EXT_LEASE_SECONDS"]
    if configured:
        return float(configured)
    connect, read = http_timeout()
    # The call itself, plus up to a minute waiting for a shared rate-limit slot.
    return 2 * (connect + read) + 60.0


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Exponential back-off with jitter, capped; DataCite's Retry-After wins if longer."""
    base, cap = current_app.config["DOI_EXT_BACKOFF"]
    ceiling = min(float(cap), float(base) * (2 ** max(attempts - 1, 0)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return delay
