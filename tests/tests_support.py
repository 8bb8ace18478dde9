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


def broker_for_workers() -> str | None:
    """A real broker on loopback for worker tests, or None."""
    if not services_allowed():
        return None
    if reachable("127.0.0.1", 5672):
        return "amqp://guest:guest@127.0.0.1:5672//"
    if reachable("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/7"
    return None
