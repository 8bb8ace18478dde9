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
    from invenio_doi_ext.embedded import without_redis

    return {
        **without_redis(),
        # Broker: kombu's memory transport, tasks run eagerly.
        "BROKER_URL": "memory://",
        "CELERY_BROKER_URL": "memory://",
        "QUEUES_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": True,
        "CELERY_TASK_EAGER_PROPAGATES": True,
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
