"""The journal: every DataCite-API request the sandbox received, and what it answered.

Tests read it to prove what a client did and did not send, so an entry keeps the
parsed body, the Basic-auth user (never the password), the status (None when the
connection was dropped) and the injected fault, if any.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from typing import Any

from .store import utcnow


def parse_payload(raw: bytes | str | None) -> Any:
    """Parsed JSON when the text is JSON, the text itself otherwise, None when empty."""
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class Journal:
    """Append-only list of request entries plus the counters of the stats call.

    At most `max_entries` are kept (the oldest go first), so that a sandbox left
    running for a soak test or a demo does not grow without bound.
    """

    def __init__(self, max_entries: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)
        self._seq = 0
        self._stats_reset()

    def _stats_reset(self) -> None:
        self.requests = 0
        self.faults: Counter[str] = Counter()
        self.rate_limited = 0
        self.by_status: Counter[str] = Counter()

    def record(
        self,
        *,
        method: str,
        path: str,
        query: dict[str, Any],
        body: Any,
        user: str | None,
        status: int | None,
        response: Any,
        fault: str | None,
        duration_ms: float,
    ) -> dict[str, Any]:
        """Append one entry and count it; returns the entry."""
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "time": utcnow(),
                "method": method,
                "path": path,
                "query": query,
                "body": body,
                "user": user,
                "status": status,
                "response": response,
                "fault": fault,
                "duration_ms": round(duration_ms, 3),
            }
            self._entries.append(entry)
            self.requests += 1
            if fault == "rate_limit":
                self.rate_limited += 1
            elif fault:
                self.faults[fault] += 1
            self.by_status[str(status) if status is not None else "dropped"] += 1
            return entry

    def entries(self, since: int | None = None) -> list[dict[str, Any]]:
        """Entries with `seq` greater than `since` (all when None)."""
        with self._lock:
            return [e for e in self._entries if since is None or e["seq"] > since]

    def clear(self) -> None:
        """Drop the entries; sequence numbers keep growing so `since` stays valid."""
        with self._lock:
            self._entries.clear()

    def reset(self) -> None:
        """Drop entries and counters (the control API's reset)."""
        with self._lock:
            self._entries.clear()
            self._stats_reset()

    def stats(self) -> dict[str, Any]:
        """Counters since the last reset."""
        with self._lock:
            return {
                "requests": self.requests,
                "faults": dict(self.faults),
                "rate_limited": self.rate_limited,
                "by_status": dict(self.by_status),
            }
