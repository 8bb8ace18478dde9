"""What the test machine offers: services on loopback, and how to reach them."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any


@dataclass
class Person:
    """A user account made by the ``make_user`` fixture, and the identity services see for it."""

    email: str
    user: Any
    identity: Any


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether a TCP service answers on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def services_allowed() -> bool:
    """``DOI_EXT_TEST_SERVICES=none`` runs the suite as on a machine without services."""
    return os.environ.get("DOI_EXT_TEST_SERVICES", "auto") != "none"


def in_process_services() -> dict[str, Any]:
    """Settings that put every service InvenioRDM would reach over the network in process.

    invenio-app-rdm's defaults point sessions, the cache, Celery's results, the
    rate limiter and the communities' identity cache at Redis, and the broker at
    RabbitMQ; the test applications use none of them, with services running or not
    (``tests/closed-services/invenio.cfg`` proves it in run-tests.sh). The worker
    tests and the Redis rate-limit tests bring their own broker and storage.
    """
    return {
        # Broker and Celery results: kombu's memory transport, eager tasks.
        "BROKER_URL": "memory://",
        "CELERY_BROKER_URL": "memory://",
        "QUEUES_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": "cache",
        "CELERY_CACHE_BACKEND": "memory",
        "CELERY_TASK_ALWAYS_EAGER": True,
        "CELERY_TASK_EAGER_PROPAGATES": True,
        # Flask-Caching (invenio-cache) and what reads CACHE_REDIS_URL when it is set.
        "CACHE_TYPE": "SimpleCache",
        "CACHE_REDIS_URL": None,
        # Login sessions: invenio-accounts keeps them in a DictStore without a URL.
        "ACCOUNTS_SESSION_REDIS_URL": None,
        # Flask-Limiter's storage (disabled by pytest-invenio, but still configured).
        "RATELIMIT_STORAGE_URI": "memory://",
        # OAuth2 grant tokens.
        "OAUTH2_CACHE_TYPE": "simple",
        # invenio-communities ships only a Redis identity cache.
        "COMMUNITIES_IDENTITIES_CACHE_HANDLER": "invenio_doi_ext.embedded:MemoryIdentityCache",
        "COMMUNITIES_IDENTITIES_CACHE_REDIS_URL": None,
        # IIIF thumbnails.
        "IIIF_CACHE_HANDLER": "flask_iiif.cache.simple:ImageSimpleCache",
        "IIIF_CACHE_REDIS_URL": None,
        # This package's DataCite rate limit (per process).
        "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",
    }


def broker_for_workers() -> str | None:
    """A real broker on loopback for worker tests, or None."""
    if not services_allowed():
        return None
    if reachable("127.0.0.1", 5672):
        return "amqp://guest:guest@127.0.0.1:5672//"
    if reachable("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/7"
    return None
