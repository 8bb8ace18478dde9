"""Stand-ins for an InvenioRDM instance without Redis (tests, the embedded demo).

invenio-communities only ships a Redis-backed identity cache; an instance run on
SQLite with an in-memory broker has no Redis, so this keeps it in process memory.
Not for production: each process has its own cache.
"""

from __future__ import annotations

from typing import Any

from cachelib import SimpleCache
from invenio_communities.cache.redis import IdentityRedisCache


class MemoryIdentityCache(IdentityRedisCache):
    """The communities identity cache, in process memory."""

    def __init__(self, app: Any = None) -> None:
        """A process-local cache instead of a Redis connection."""
        self._app = app
        self.cache = SimpleCache()
