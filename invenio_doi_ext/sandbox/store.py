"""The sandbox's DOI table: in memory, thread-safe, optionally backed by SQLite.

DataCite stores DOIs upper case and matches them case-insensitively, so the key
of every record is the upper-case DOI. With a SQLite file every change is written
through at once, so that a sandbox restarted on the same file still knows its DOIs.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

STATES = ("draft", "registered", "findable")


def utcnow() -> str:
    """ISO 8601 UTC timestamp with a `Z`, DataCite's own format."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class DoiRecord:
    """One DOI as DataCite holds it."""

    doi: str
    state: str = "draft"
    url: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    xml: str | None = None
    created: str = field(default_factory=utcnow)
    updated: str = field(default_factory=utcnow)
    registered: str | None = None
    metadata_version: int = 0
    client: str | None = None
    """The repository account that owns the DOI (lupo's ``client_id``), lower case;
    ``None`` for a DOI seeded without one (then the owner of its prefix owns it)."""

    def __post_init__(self) -> None:
        self.doi = self.doi.upper()

    @property
    def prefix(self) -> str:
        """The part before the first slash: what decides ownership."""
        return self.doi.split("/", 1)[0]

    def copy(self) -> DoiRecord:
        """A deep copy, so that a failed validation leaves the stored record untouched."""
        return copy.deepcopy(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for persistence."""
        return asdict(self)


class Store:
    """All DOIs of the sandbox behind one re-entrant lock."""

    def __init__(self, db_path: str | None = None) -> None:
        self.lock = threading.RLock()
        self._dois: dict[str, DoiRecord] = {}
        self._db: sqlite3.Connection | None = None
        if db_path:
            self._open(db_path)

    def _open(self, db_path: str) -> None:
        self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS dois (doi TEXT PRIMARY KEY, data TEXT)")
        for (data,) in self._db.execute("SELECT data FROM dois"):
            record = DoiRecord(**json.loads(data))
            self._dois[record.doi] = record

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Hold the lock across a read-check-write sequence (uniqueness, upsert)."""
        with self.lock:
            yield self

    def get(self, doi: str) -> DoiRecord | None:
        """A copy of the record of `doi` (any case), or None."""
        with self.lock:
            record = self._dois.get(doi.upper())
            return record.copy() if record else None

    def put(self, record: DoiRecord) -> None:
        """Insert or replace a record and write it through to SQLite."""
        with self.lock:
            stored = record.copy()
            self._dois[stored.doi] = stored
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO dois (doi, data) VALUES (?, ?)",
                    (stored.doi, json.dumps(stored.to_dict())),
                )

    def delete(self, doi: str) -> bool:
        """Remove a record; True when there was one."""
        with self.lock:
            found = self._dois.pop(doi.upper(), None) is not None
            if found and self._db is not None:
                self._db.execute("DELETE FROM dois WHERE doi = ?", (doi.upper(),))
            return found

    def all(self) -> list[DoiRecord]:
        """Copies of every record, sorted by creation time."""
        with self.lock:
            return sorted((r.copy() for r in self._dois.values()), key=lambda r: r.created)

    def clear(self) -> None:
        """Forget every DOI (the control API's reset)."""
        with self.lock:
            self._dois.clear()
            if self._db is not None:
                self._db.execute("DELETE FROM dois")

    def close(self) -> None:
        """Close the SQLite file, if any."""
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None
