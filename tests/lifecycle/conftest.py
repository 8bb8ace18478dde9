"""Fixtures of the lifecycle tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def deferred_tasks(app: Any) -> Iterator[None]:
    """Celery not eager: tasks go to the in-memory broker and nobody consumes them.

    That is what a request sees in production: it returns before any worker runs.
    """
    celery = app.extensions["invenio-celery"].celery
    celery.conf.task_always_eager = False
    try:
        yield
    finally:
        celery.conf.task_always_eager = True
        with celery.connection_for_write() as connection:
            connection.default_channel.queue_purge(celery.conf.task_default_queue)
