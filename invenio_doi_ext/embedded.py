"""Stand-ins for an InvenioRDM instance without Redis (tests, the embedded demo).

invenio-app-rdm's defaults keep sessions, the cache, Celery's results, the rate
limiter and the communities' identity cache in Redis; :func:`without_redis`
names the settings that keep each in process memory instead. invenio-communities
only ships a Redis-backed identity cache, so :class:`MemoryIdentityCache` is one
in memory. Not for production: each process has its own caches and sessions.
"""

from __future__ import annotations

from typing import Any

from cachelib import SimpleCache
from invenio_communities.cache.redis import IdentityRedisCache


def without_redis() -> dict[str, Any]:
    """Settings that replace every Redis-backed default of invenio-app-rdm by process memory.

    The broker is not among them: an instance with worker processes needs one
    they share (the demo's is a SQLite file, the tests' kombu's memory transport).
    """
    return {
        "CACHE_TYPE": "SimpleCache",
        "CACHE_REDIS_URL": None,  # also read by invenio-oauth2server when set
        "ACCOUNTS_SESSION_REDIS_URL": None,  # invenio-accounts: sessions in a DictStore
        "RATELIMIT_STORAGE_URI": "memory://",  # Flask-Limiter
        "OAUTH2_CACHE_TYPE": "simple",
        "COMMUNITIES_IDENTITIES_CACHE_HANDLER": "invenio_doi_ext.embedded:MemoryIdentityCache",
        "COMMUNITIES_IDENTITIES_CACHE_REDIS_URL": None,
        "IIIF_CACHE_HANDLER": "flask_iiif.cache.simple:ImageSimpleCache",
        "IIIF_CACHE_REDIS_URL": None,
        "CELERY_RESULT_BACKEND": "cache",
        "CELERY_CACHE_BACKEND": "memory",
        "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",  # per process
    }


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
    client.search = _without_unsupported_sorts(client.search)
    client.scroll = _scroll_id_from_body(client.scroll)
    # Scans end with clear_scroll, which openmock lacks; its scrolls hold nothing to free.
    client.clear_scroll = lambda *args, **kwargs: {"succeeded": True, "num_freed": 0}
    current_search._client = client
    current_search._current_suffix = ""
    for _ in current_search.create(ignore_existing=True):
        pass
    return client


def index_vocabularies() -> None:
    """Put the vocabulary rows of the database into this process's search stand-in.

    The DataCite serializer reads resource types (and the other vocabularies'
    DataCite properties) from the index, and the stand-in of a fresh process is empty.
    """
    from invenio_vocabularies.proxies import current_service
    from invenio_vocabularies.records.api import Vocabulary

    for model in Vocabulary.model_cls.query.all():
        current_service.indexer.index(Vocabulary(model.data, model=model))
    Vocabulary.index.refresh()


def _without_unsupported_sorts(search: Any) -> Any:
    """openmock sorts only by ``[{"field": {"order": ...}}]``; drop other sorts.

    Scans sort by ``"_doc"`` and services by score or by plain field names; the
    fake returns hits in insertion order instead, which is what a stand-in needs.
    """

    def wrapped(*args: Any, body: Any = None, **kwargs: Any) -> Any:
        if isinstance(body, dict) and "sort" in body:
            sorts = body["sort"] if isinstance(body["sort"], list) else [body["sort"]]
            kept = [
                entry
                for entry in sorts
                if isinstance(entry, dict)
                and all(isinstance(spec, dict) and "order" in spec for spec in entry.values())
            ]
            body = {**body, "sort": kept} if kept else {k: v for k, v in body.items() if k != "sort"}
        return search(*args, body=body, **kwargs)

    return wrapped


def _scroll_id_from_body(scroll: Any) -> Any:
    """opensearch-py's scan sends the scroll id in the body; openmock reads the argument."""

    def wrapped(*args: Any, body: Any = None, scroll_id: Any = None, **kwargs: Any) -> Any:
        if scroll_id is None and isinstance(body, dict):
            scroll_id = body.get("scroll_id")
            kwargs.setdefault("scroll", body.get("scroll"))
        return scroll(*args, scroll_id=scroll_id, **kwargs)

    return wrapped
