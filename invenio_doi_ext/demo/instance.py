"""A throw-away InvenioRDM instance for the demo, embedded or on real services.

Embedded (the default, nothing to install): SQLite, a broker in a SQLite file
(kombu's SQLAlchemy transport) shared by the demo and its worker processes, the
search stand-in. Real services when their URLs are given: ``DEMO_DATABASE_URL``
(PostgreSQL), ``DEMO_BROKER_URL`` (RabbitMQ or Redis), ``DEMO_REDIS_URL`` (cache
and shared rate limit).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..embedded import without_redis

DOI_QUEUE = "doi-ext-demo"
DEFAULT_QUEUE = "celery"
"""Celery's default queue: notifications and e-mail."""


@dataclass(frozen=True)
class Services:
    """Where the demo instance keeps its state."""

    database_url: str
    broker_url: str
    redis_url: str | None
    embedded_database: bool
    embedded_broker: bool

    @classmethod
    def from_environment(cls, output: Path) -> Services:
        """Real services when their URLs are in the environment, embedded otherwise."""
        database = os.environ.get("DEMO_DATABASE_URL")
        broker = os.environ.get("DEMO_BROKER_URL")
        return cls(
            database_url=database or f"sqlite:///{output / 'instance.sqlite'}",
            broker_url=broker or f"sqla+sqlite:///{output / 'broker.sqlite'}",
            redis_url=os.environ.get("DEMO_REDIS_URL"),
            embedded_database=database is None,
            embedded_broker=broker is None,
        )

    def describe(self) -> list[str]:
        """Lines saying what is real and what is a stand-in."""
        return [
            "database: " + ("SQLite file (embedded)" if self.embedded_database else _hide(self.database_url)),
            "broker:   "
            + ("SQLite file via kombu (embedded)" if self.embedded_broker else _hide(self.broker_url)),
            "cache:    "
            + ("caches and sessions in process memory" if not self.redis_url else _hide(self.redis_url)),
            "search:   openmock stand-in (no OpenSearch needed: records are indexed into a fake)",
            "DataCite: the invenio-doi-ext sandbox, over real HTTP on loopback",
        ]


def _hide(url: str) -> str:
    from ..settings import mask_url

    return mask_url(url)


def instance_config(
    services: Services, sandbox_url: str, output: Path, mail_port: int | None = None
) -> dict[str, Any]:
    """The configuration shared by the demo process and its Celery worker and beat.

    With ``mail_port``, e-mail goes by SMTP to the demo's loopback mailbox
    (:mod:`.mailbox`); without it, nothing is sent.
    """
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": services.database_url,
        "CELERY_BROKER_URL": services.broker_url,
        "BROKER_URL": services.broker_url,
        "CELERY_TASK_ALWAYS_EAGER": False,
        "SECRET_KEY": "invenio-doi-ext-demo",
        "SITE_UI_URL": "https://demo.example.org",
        "SITE_API_URL": "https://demo.example.org/api",
        "THEME_SITENAME": "Demo Repository",
        "TRUSTED_HOSTS": ["localhost", "127.0.0.1", "demo.example.org"],
        "DATACITE_ENABLED": True,
        "DATACITE_USERNAME": "DEMO.REPOSITORY",
        "DATACITE_PASSWORD": "demo-password",
        "DATACITE_PREFIX": "10.5555",
        "DATACITE_TEST_MODE": True,
        "DOI_EXT_DATACITE_URL": sandbox_url,
        "DOI_EXT_TASK_QUEUE": DOI_QUEUE,
        "DOI_EXT_COALESCE_SECONDS": 1.0,
        "DOI_EXT_BACKOFF": (1.0, 4.0),
        "DOI_EXT_SWEEP_INTERVAL": 2.0,
        # Three failed calls in a row pause every call, so that the outage of step 4
        # opens the breaker and the operators get a digest (sent at most every 2 s).
        "DOI_EXT_CIRCUIT_BREAKER": {"failures": 3, "pause": 3.0},
        "DOI_EXT_NOTIFY_INTERVAL": 2.0,
        "DOI_EXT_HTTP_TIMEOUT": (2.0, 5.0),
        "DOI_EXT_RATE_LIMIT": "50 per 1 second",
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": mail_port is None,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_port or 25,
        "MAIL_DEFAULT_SENDER": "doi-demo@demo.example.org",
        "APP_DEFAULT_SECURE_HEADERS": {"force_https": False, "content_security_policy": {"default-src": []}},
        "RECORDS_REFRESOLVER_CLS": "invenio_records.resolver.InvenioRefResolver",
        "RECORDS_REFRESOLVER_STORE": "invenio_jsonschemas.proxies.current_refresolver_store",
        "JSONSCHEMAS_HOST": "demo.example.org",
    }
    # Nothing falls back to invenio-app-rdm's Redis on localhost: every Redis-backed
    # setting is in process memory, or on DEMO_REDIS_URL when given.
    config.update(without_redis())
    if services.redis_url:
        config.update(
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=services.redis_url,
            ACCOUNTS_SESSION_REDIS_URL=services.redis_url,
            RATELIMIT_STORAGE_URI=services.redis_url,
            DOI_EXT_RATE_LIMIT_STORAGE=services.redis_url,
        )
    if services.embedded_database:
        # invenio-app-rdm's engine options are PostgreSQL's (connect_args "options").
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    return config


def worker_environment(config: dict[str, Any], instance_path: Path) -> dict[str, str]:
    """The same configuration for the workers' Celery app (``demo.processes``), as INVENIO_* variables.

    invenio-config reads each variable with ``ast.literal_eval``, so every value
    is written as a Python literal (a prefix such as 10.5555 must stay a string).
    """
    env = dict(os.environ)
    env["INVENIO_INSTANCE_PATH"] = str(instance_path)
    for key, value in config.items():
        env[f"INVENIO_{key}"] = repr(value)
    return env
