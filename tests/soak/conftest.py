"""The soak's instance: its own PostgreSQL database, a real broker, its own queues.

The application of this module sends tasks to RabbitMQ instead of running them
eagerly; the lifecycle's tasks go to a queue of its own and every other task to
another one nobody consumes, so the soak never takes another test's tasks and
never hands its own to anybody else. Both queues are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from tests_support import broker_for_workers

#: ``SOAK_DATABASE`` lets a long run go on beside the test suite's own short one.
SOAK_DATABASE = os.environ.get("SOAK_DATABASE", "doi_ext_soak")
RUN = uuid.uuid4().hex[:8]
DOI_QUEUE = f"doi-ext-soak-{RUN}"
OTHER_QUEUE = f"doi-ext-soak-other-{RUN}"


@pytest.fixture(scope="module")
def db_uri() -> str:
    """A database of the soak's own on the test PostgreSQL server (SQLite otherwise: skipped)."""
    uri = os.environ.get("SQLALCHEMY_DATABASE_URI", "")
    if not uri.startswith("postgresql"):
        return uri or "sqlite://"
    return make_url(uri).set(database=SOAK_DATABASE).render_as_string(hide_password=False)


def soak_settings(broker: str) -> dict[str, Any]:
    """Settings shared by the test process and its worker and beat processes."""
    return {
        "CELERY_BROKER_URL": broker,
        "BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_TASK_EAGER_PROPAGATES": False,
        "CELERY_TASK_DEFAULT_QUEUE": OTHER_QUEUE,
        "DOI_EXT_TASK_QUEUE": DOI_QUEUE,
        "DOI_EXT_COALESCE_SECONDS": 0.5,
        "DOI_EXT_BACKOFF": (0.5, 4.0),
        "DOI_EXT_SWEEP_INTERVAL": 2.0,
        "DOI_EXT_CIRCUIT_BREAKER": {"failures": 8, "pause": 2.0},
        "DOI_EXT_HTTP_TIMEOUT": (1.0, 1.5),
        "DOI_EXT_RATE_LIMIT": "1000 per 1 second",
        "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",
    }


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Non-eager Celery on the real broker (the soak is skipped without one)."""
    broker = broker_for_workers()
    return soak_settings(broker) if broker else {}
