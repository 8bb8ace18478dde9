"""The test applications reach no network service but the database and the sandbox.

invenio-app-rdm's defaults send sessions, the cache, Celery results, the rate
limiter and the communities' identity cache to Redis and tasks to RabbitMQ. The
test configuration (``tests_support.in_process_services``) replaces every one of
them; with ``DOI_EXT_TEST_SERVICES=none`` the database is SQLite too.
run-tests.sh runs this module and a few login tests with every service URL of the
instance's invenio.cfg pointed at a closed port (``tests/closed-services``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests_support import services_allowed

#: A URL of a network service, or the closed port of tests/closed-services/invenio.cfg.
SERVICE_URL = re.compile(
    r"\b(redis|rediss|amqp|amqps|pyamqp|postgresql|postgres|mysql)(\+\w+)?://|:6379\b|:5672\b|127\.0\.0\.1:1\b"
)


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a configuration value (nested dicts, lists, tuples)."""
    if isinstance(value, str):
        yield str(value)  # lazy strings (LocalProxy) pass isinstance but are not str
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from strings_in(item)


def service_settings(config: Any) -> dict[str, list[str]]:
    """The keys whose values name a network service, with those values."""
    found = {}
    for key, value in config.items():
        urls = [text for text in strings_in(value) if SERVICE_URL.search(text)]
        if urls:
            found[key] = urls
    return found


def test_no_setting_names_a_network_service(app):
    found = service_settings(app.config)
    if services_allowed():
        # PostgreSQL is used when it runs; nothing else is.
        found.pop("SQLALCHEMY_DATABASE_URI", None)
    assert found == {}


def test_login_sessions_are_kept_in_process(app):
    from simplekv.memory import DictStore

    assert isinstance(app.kvsession_store, DictStore)


def test_the_pattern_sees_invenio_app_rdms_own_defaults():
    """Not a tautology: upstream's defaults are what the test configuration replaces."""
    from invenio_app_rdm import config as rdm_config

    defaults = {key: getattr(rdm_config, key) for key in dir(rdm_config) if key.isupper()}
    assert {"ACCOUNTS_SESSION_REDIS_URL", "RATELIMIT_STORAGE_URI", "CACHE_REDIS_URL", "BROKER_URL"} <= set(
        service_settings(defaults)
    )
