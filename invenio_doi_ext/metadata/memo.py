"""What this process already derived from the same content: payloads and validation results.

The DataCite serializer and the schema check cost several milliseconds a run,
and a request used to pay them again for content it had just derived them
from: a tombstone or a restore changes no field the serializer reads, and a
publish validates the draft exactly as its last save did. The key is the
canonical JSON of everything the computation reads from the record (not its
revision number: a tombstone commits a new revision with the same metadata),
so a hit is the answer the computation would give; a process that has not
seen the content (another web worker, a restart) simply computes it.

Bounded (least recently used entries go first), so a long-lived process keeps
at most :data:`SIZE` entries whatever it serves. Vocabulary lookups are not
part of the key: upstream caches them the same way (``read_all``), and the
next change of the record recomputes.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from .fingerprint import canonical_json

#: Entries kept per process (a payload is a few kB).
SIZE = 512

T = TypeVar("T")


class Memo:
    """A bounded, thread-safe map from content keys to derived values (returned as copies)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(*parts: Any) -> str:
        """The key of ``parts``: a hash of their canonical JSON."""
        return hashlib.sha256(canonical_json(parts).encode("utf-8")).hexdigest()

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        """The value stored under ``key``, else ``compute()`` stored; a deep copy either way.

        Callers may change what they get (a payload is trimmed, extended) without
        changing the stored value.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return copy.deepcopy(self._entries[key])
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = copy.deepcopy(value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget everything (tests that change configuration mid-process)."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


_KEY = "invenio-doi-ext.memo"


def derived() -> Memo:
    """The application's memo (one per application: tests build several in one process)."""
    app = current_app._get_current_object()
    memo = app.extensions.get(_KEY)
    if memo is None:
        memo = app.extensions.setdefault(_KEY, Memo())
    return memo
