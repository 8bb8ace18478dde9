"""Fault injection, latency and rate limiting: the ways DataCite misbehaves.

Queued faults are served first, one per request, so a test can script an exact
sequence; then each request is faulty with probability `rate`, the kind drawn by
weight from a seeded RNG so that a run is reproducible.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from typing import Any

FAULT_KINDS = (
    "500",
    "502_html",
    "503_html",
    "429",
    "429_retry_after",
    "drop",
    "timeout",
    "409",
)
DEFAULT_METHODS = ("POST", "PUT", "DELETE", "GET")


class FaultConfigError(ValueError):
    """A fault configuration the sandbox cannot honour."""


class Faults:
    """The current fault plan and latency; every method is thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.latency_ms = 0.0
        self._reset_locked()

    def _reset_locked(self) -> None:
        self.rate = 0.0
        self.kinds: dict[str, float] = {}
        self.retry_after: float | int = 1
        self.hang_seconds = 30.0
        self.queue: deque[str] = deque()
        self.methods: tuple[str, ...] = DEFAULT_METHODS
        self._rng = random.Random()
        self._wake.set()
        self._wake = threading.Event()

    def clear(self) -> None:
        """No faults; wakes every request that hangs in a `timeout` fault."""
        with self._lock:
            self._reset_locked()

    def configure(self, **kw: Any) -> dict[str, Any]:
        """Replace the plan with `kw` (keys of the control API); returns the plan."""
        kinds = {str(k): float(v) for k, v in (kw.get("kinds") or {}).items()}
        queue = [str(k) for k in kw.get("queue") or []]
        unknown = sorted({*kinds, *queue} - set(FAULT_KINDS))
        if unknown:
            raise FaultConfigError(f"unknown fault kinds {unknown}; known: {list(FAULT_KINDS)}")
        rate = float(kw.get("rate", 0.0))
        if not 0.0 <= rate <= 1.0:
            raise FaultConfigError("rate must be between 0 and 1")
        if rate > 0 and not kinds:
            kinds = {"500": 1.0}
        with self._lock:
            self._reset_locked()
            self.rate = rate
            self.kinds = kinds
            self.queue = deque(queue)
            self.retry_after = kw.get("retry_after", 1)
            self.hang_seconds = float(kw.get("hang_seconds", 30.0))
            methods = kw.get("methods") or DEFAULT_METHODS
            self.methods = tuple(str(m).upper() for m in methods)
            self._rng = random.Random(kw.get("seed"))
        return self.plan()

    def plan(self) -> dict[str, Any]:
        """The current plan as JSON."""
        with self._lock:
            return {
                "rate": self.rate,
                "kinds": dict(self.kinds),
                "queue": list(self.queue),
                "retry_after": self.retry_after,
                "hang_seconds": self.hang_seconds,
                "methods": list(self.methods),
                "latency_ms": self.latency_ms,
            }

    def draw(self, method: str) -> str | None:
        """The fault for this request, or None."""
        with self._lock:
            if method.upper() not in self.methods:
                return None
            if self.queue:
                return self.queue.popleft()
            if self.rate <= 0 or not self.kinds:
                return None
            if self._rng.random() >= self.rate:
                return None
            names = list(self.kinds)
            return self._rng.choices(names, weights=[self.kinds[n] for n in names])[0]

    def hang(self) -> None:
        """Sleep `hang_seconds`, or less if the faults are cleared or the sandbox reset."""
        with self._lock:
            wake, seconds = self._wake, self.hang_seconds
        wake.wait(seconds)

    def sleep_latency(self) -> None:
        """Sleep the configured latency before answering."""
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000.0)


class RateLimiter:
    """Sliding window of accepted DataCite-API requests; None limit disables it.

    Only accepted requests enter the window, so a client that backs off gets
    through again as soon as the window has slid past its earlier requests.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.limit: int | None = None
        self.window = 1.0
        self._times: deque[float] = deque()

    def configure(self, limit: int | None, window: float = 1.0) -> dict[str, Any]:
        """Set (or with None, disable) the limit; returns the setting."""
        if limit is not None and int(limit) < 0:
            raise FaultConfigError("limit must be >= 0")
        if float(window) <= 0:
            raise FaultConfigError("window must be > 0")
        with self._lock:
            self.limit = None if limit is None else int(limit)
            self.window = float(window)
            self._times.clear()
        return self.setting()

    def setting(self) -> dict[str, Any]:
        """The current setting as JSON."""
        return {"limit": self.limit, "window": self.window}

    def allow(self) -> bool:
        """True and counted when the request fits in the window."""
        with self._lock:
            if self.limit is None:
                return True
            now = time.monotonic()
            while self._times and now - self._times[0] >= self.window:
                self._times.popleft()
            if len(self._times) >= self.limit:
                return False
            self._times.append(now)
            return True
