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


def install_search_standin() -> Any:
    """Replace the OpenSearch client by openmock's fake, loud on what it cannot do.

    OpenSearch cannot run everywhere (it cannot be installed on the project's
    machines); records, drafts and vocabularies still need an index to be written
    to and read from. Index names equal their write aliases (empty suffix), since
    openmock's writes ignore aliases. Requires ``openmock`` (the ``tests`` and
    ``demo`` extras).
    """
    from invenio_search import current_search
    from openmock import FakeOpenSearch

    client = FakeOpenSearch()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"search stand-in: unsupported call {args!r}")

    client.transport.perform_request = refuse
    current_search._client = client
    current_search._current_suffix = ""
    for _ in current_search.create(ignore_existing=True):
        pass
    return client
