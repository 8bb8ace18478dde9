"""The accessors: one function per key, turning each documented form into one value.

Each accessor takes an optional mapping (``app.config`` or a plain dict, as the
gateway and the start-up check pass); without one it reads ``current_app.config``.
A value it cannot use raises :class:`~.forms.ConfigurationError` naming the key and
the fix; an absent key reads its default from :mod:`invenio_doi_ext.config`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from flask import current_app

from .. import config as ext_config
from . import account, forms
from .forms import ConfigurationError
from .masking import mask_url

TEST_API_URL = "https://api.test.datacite.org/"
PRODUCTION_API_URL = "https://api.datacite.org/"
TEST_RATE_LIMIT = "700 per 5 minutes"
PRODUCTION_RATE_LIMIT = "2700 per 5 minutes"
RESTRICTED_POLICIES = ("redacted", "none")


class Backoff(NamedTuple):
    """``DOI_EXT_BACKOFF``: the first retry delay and the longest, in seconds."""

    base: float
    cap: float


class Breaker(NamedTuple):
    """``DOI_EXT_CIRCUIT_BREAKER``: consecutive failures that open it, and the pause."""

    failures: int
    pause: float


# -- reading ---------------------------------------------------------------------------


def _config(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return current_app.config if config is None else config


def raw(key: str, config: Mapping[str, Any] | None = None) -> Any:
    """The value as configured, or its default when the key is absent (never an inline fallback)."""
    conf = _config(config)
    if key in account.UPSTREAM_KEYS:
        return account.value(conf, key)
    return conf[key] if key in conf else getattr(ext_config, key)


# -- the DataCite account (upstream keys) ------------------------------------------------


def datacite_enabled(config: Mapping[str, Any] | None = None) -> bool:
    """``DATACITE_ENABLED`` (upstream's key; any truthy value, as upstream reads it)."""
    return bool(raw("DATACITE_ENABLED", config))


def datacite_test_mode(config: Mapping[str, Any] | None = None) -> bool:
    """``DATACITE_TEST_MODE``: DataCite's test system (the default) or production."""
    return bool(raw("DATACITE_TEST_MODE", config))


def datacite_username(config: Mapping[str, Any] | None = None) -> str:
    """``DATACITE_USERNAME``, the repository account ("" when unset)."""
    return str(raw("DATACITE_USERNAME", config) or "")


def datacite_password(config: Mapping[str, Any] | None = None) -> str:
    """``DATACITE_PASSWORD`` ("" when unset); never shown, see :func:`effective`."""
    return str(raw("DATACITE_PASSWORD", config) or "")


def datacite_prefix(config: Mapping[str, Any] | None = None) -> str:
    """``DATACITE_PREFIX`` ("" when unset)."""
    return str(raw("DATACITE_PREFIX", config) or "")


def datacite_format(config: Mapping[str, Any] | None = None) -> str | Callable[..., str]:
    """``DATACITE_FORMAT``: a format string with ``{prefix}`` and ``{id}``, or a callable."""
    return raw("DATACITE_FORMAT", config) or "{prefix}/{id}"


# -- this package's keys ---------------------------------------------------------------


def enabled(config: Mapping[str, Any] | None = None) -> bool:
    """``DOI_EXT_ENABLED``: this package's providers replace upstream's."""
    return forms.flag("DOI_EXT_ENABLED", raw("DOI_EXT_ENABLED", config))


def datacite_url(config: Mapping[str, Any] | None = None) -> str:
    """The API base URL (ending in ``/``): the override, else DataCite's test or production host."""
    url = raw("DOI_EXT_DATACITE_URL", config)
    if url is None or url == "":
        return TEST_API_URL if datacite_test_mode(config) else PRODUCTION_API_URL
    example = '"http://127.0.0.1:8899/" (the sandbox) or None'
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"DOI_EXT_DATACITE_URL = {mask_url(str(url))!r} is not an http(s) URL: write for example "
            f"{example}, which derives the URL from DATACITE_TEST_MODE."
        )
    try:
        parts.port  # noqa: B018 - raises for a host part that cannot be read
    except ValueError:
        raise ConfigurationError(
            "DOI_EXT_DATACITE_URL has a host part that cannot be read (not shown, it may hold a "
            "password): percent-encode any '/', '@' or ':' in a user or password, or use "
            f"{example}."
        ) from None
    return url if url.endswith("/") else url + "/"


def rate_limit(config: Mapping[str, Any] | None = None) -> str:
    """``DOI_EXT_RATE_LIMIT`` (``limits`` syntax); unset: DataCite's test or production allowance."""
    configured = raw("DOI_EXT_RATE_LIMIT", config)
    if configured is None or configured == "":
        return TEST_RATE_LIMIT if datacite_test_mode(config) else PRODUCTION_RATE_LIMIT
    from limits import parse

    try:
        item = parse(configured) if isinstance(configured, str) else None
    except ValueError:
        item = None
    if item is None or item.amount < 1:
        raise ConfigurationError(
            f"DOI_EXT_RATE_LIMIT = {configured!r} is not a rate: write for example "
            '"700 per 5 minutes" (the syntax of the limits package), or None for the default.'
        )
    return configured


def rate_limit_storage(config: Mapping[str, Any] | None = None) -> str:
    """Where the shared rate-limit window lives: the configured URI, the instance's Redis, or memory."""
    configured = raw("DOI_EXT_RATE_LIMIT_STORAGE", config)
    if configured is None or configured == "":
        conf = _config(config)
        redis_url = conf.get("CACHE_REDIS_URL")  # Invenio's cache keys, not ours
        if redis_url and "redis" in str(conf.get("CACHE_TYPE", "")).lower():
            return redis_url
        return "memory://"
    from limits.storage import SCHEMES

    scheme = configured.split("://", 1)[0] if isinstance(configured, str) and "://" in configured else None
    # Only synchronous storages: the workers are not asyncio.
    if scheme not in SCHEMES or scheme.startswith("async+"):
        raise ConfigurationError(
            f"DOI_EXT_RATE_LIMIT_STORAGE = {mask_url(str(configured))!r} is not a limits storage URI: "
            'write for example "redis://localhost:6379/0" or "memory://", or None for the '
            "instance's Redis cache."
        )
    return configured


def http_timeout(config: Mapping[str, Any] | None = None) -> tuple[float, float]:
    """``DOI_EXT_HTTP_TIMEOUT`` as (connect, read) seconds; one number sets both."""
    return forms.pair(
        "DOI_EXT_HTTP_TIMEOUT",
        raw("DOI_EXT_HTTP_TIMEOUT", config),
        ("connect", "read"),
        allow_single=True,
        example="(5.0, 30.0) or 10",
    )


def backoff(config: Mapping[str, Any] | None = None) -> Backoff:
    """``DOI_EXT_BACKOFF`` as (base, cap) seconds, the cap at least the base."""
    key = "DOI_EXT_BACKOFF"
    base, cap = forms.pair(
        key, raw(key, config), ("base", "cap"), allow_single=False, example="(30.0, 3600.0)"
    )
    if cap < base:
        raise ConfigurationError(
            f"{key} = ({base:g}, {cap:g}) has a cap below its base: write (base, cap), e.g. (30.0, 3600.0)."
        )
    return Backoff(base, cap)


def circuit_breaker(config: Mapping[str, Any] | None = None) -> Breaker:
    """``DOI_EXT_CIRCUIT_BREAKER``; a key left out of the dict keeps its default."""
    key = "DOI_EXT_CIRCUIT_BREAKER"
    example = '{"failures": 5, "pause": 300.0}'
    given = forms.mapping(key, raw(key, config), example=example)
    unknown = sorted(set(given) - set(ext_config.DOI_EXT_CIRCUIT_BREAKER))
    if unknown:
        raise ConfigurationError(
            f'{key} has unknown entries {unknown}: only "failures" and "pause", e.g. {example}.'
        )
    merged = {**ext_config.DOI_EXT_CIRCUIT_BREAKER, **given}
    return Breaker(
        forms.whole(f'{key}["failures"]', merged["failures"], minimum=1, example="5"),
        forms.seconds(f'{key}["pause"]', merged["pause"], example="300.0"),
    )


def lease_seconds(config: Mapping[str, Any] | None = None) -> float:
    """How long a worker holds a claimed row; unset: twice the HTTP timeouts plus a minute."""
    configured = raw("DOI_EXT_LEASE_SECONDS", config)
    if configured is None:
        connect, read = http_timeout(config)
        # The call itself, plus up to a minute waiting for a shared rate-limit slot.
        return 2 * (connect + read) + 60.0
    return forms.seconds("DOI_EXT_LEASE_SECONDS", configured, example="120 or None")


def sweep_interval(config: Mapping[str, Any] | None = None) -> timedelta:
    """``DOI_EXT_SWEEP_INTERVAL``: seconds or a ``timedelta``, as a ``timedelta``."""
    return forms.duration(
        "DOI_EXT_SWEEP_INTERVAL", raw("DOI_EXT_SWEEP_INTERVAL", config), example="timedelta(seconds=60)"
    )


def sweep_batch(config: Mapping[str, Any] | None = None) -> int:
    """``DOI_EXT_SWEEP_BATCH``: most rows one sweep enqueues."""
    return forms.whole("DOI_EXT_SWEEP_BATCH", raw("DOI_EXT_SWEEP_BATCH", config), minimum=1, example="500")


def coalesce_seconds(config: Mapping[str, Any] | None = None) -> float:
    """``DOI_EXT_COALESCE_SECONDS``: delay before a changed DOI is sent (0 sends at once)."""
    return forms.seconds(
        "DOI_EXT_COALESCE_SECONDS", raw("DOI_EXT_COALESCE_SECONDS", config), allow_zero=True, example="5.0"
    )


def restricted_policy(config: Mapping[str, Any] | None = None) -> str:
    """``DOI_EXT_RESTRICTED_POLICY``: ``"redacted"`` or ``"none"``."""
    return forms.choice(
        "DOI_EXT_RESTRICTED_POLICY", raw("DOI_EXT_RESTRICTED_POLICY", config), RESTRICTED_POLICIES
    )


def redacted_metadata(config: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """``DOI_EXT_REDACTED_METADATA``: the DataCite JSON template of a restricted record."""
    key = "DOI_EXT_REDACTED_METADATA"
    value = raw(key, config)
    if not isinstance(value, Mapping) or not value:
        raise ConfigurationError(
            f"{key} must be a non-empty dict of DataCite JSON attributes (see the default in "
            "invenio_doi_ext.config); remove it from invenio.cfg to use the default."
        )
    return value


def reserve_on_draft(config: Mapping[str, Any] | None = None) -> bool:
    """``DOI_EXT_RESERVE_ON_DRAFT``: a draft's DOI is reserved at DataCite as a draft DOI."""
    return forms.flag("DOI_EXT_RESERVE_ON_DRAFT", raw("DOI_EXT_RESERVE_ON_DRAFT", config))


def landing_url_template(config: Mapping[str, Any] | None = None) -> str:
    """``DOI_EXT_LANDING_URL`` with ``{doi}`` and optionally ``{site}`` (``SITE_UI_URL``)."""
    key = "DOI_EXT_LANDING_URL"
    template = raw(key, config)
    fix = 'use for example "{site}/doi/{doi}"'
    if not isinstance(template, str) or "{doi}" not in template:
        raise ConfigurationError(f"{key} {template!r} has no {{doi}} placeholder: {fix}.")
    try:
        template.format(site="https://repo.example.org", doi="10.1234/abcd")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigurationError(
            f"{key} {template!r} cannot be filled in ({exc!r}): only {{site}} and {{doi}} are "
            f"available; {fix}."
        ) from None
    return template


def contact_email(config: Mapping[str, Any] | None = None) -> str | None:
    """``DOI_EXT_CONTACT_EMAIL``, added to the User-Agent, or None."""
    key = "DOI_EXT_CONTACT_EMAIL"
    value = forms.optional_text(key, raw(key, config), example='"repository@example.org"')
    if value is not None and ("@" not in value or any(char.isspace() for char in value)):
        raise ConfigurationError(
            f'{key} = {value!r} is not an e-mail address: write for example "repository@example.org".'
        )
    return value


def task_queue(config: Mapping[str, Any] | None = None) -> str | None:
    """``DOI_EXT_TASK_QUEUE``: the Celery queue of the DOI tasks, or None (the default queue)."""
    return forms.optional_text("DOI_EXT_TASK_QUEUE", raw("DOI_EXT_TASK_QUEUE", config), example='"doi"')


def job_ttl(config: Mapping[str, Any] | None = None) -> timedelta:
    """``DOI_EXT_JOB_TTL``: how long a sync job's outcome stays readable."""
    return forms.duration("DOI_EXT_JOB_TTL", raw("DOI_EXT_JOB_TTL", config), example="timedelta(days=1)")


def permission_policy(config: Mapping[str, Any] | None = None) -> type:
    """``DOI_EXT_PERMISSION_POLICY``: the policy class, imported when given as a path."""
    from invenio_records_permissions.policies.base import BasePermissionPolicy

    return forms.subclass(
        "DOI_EXT_PERMISSION_POLICY",
        raw("DOI_EXT_PERMISSION_POLICY", config),
        BasePermissionPolicy,
        example=ext_config.DOI_EXT_PERMISSION_POLICY,
    )


def curation_required(config: Mapping[str, Any] | None = None) -> bool | Callable[..., Any]:
    """``DOI_EXT_CURATION_REQUIRED``: a bool, or a callable ``(record) -> bool`` (imported if a path)."""
    return forms.callable_or_flag(
        "DOI_EXT_CURATION_REQUIRED", raw("DOI_EXT_CURATION_REQUIRED", config), example="my_site.doi:curated"
    )


def curator_role(config: Mapping[str, Any] | None = None) -> str:
    """``DOI_EXT_CURATOR_ROLE``: name of the curators' role."""
    key = "DOI_EXT_CURATOR_ROLE"
    return forms.optional_text(key, raw(key, config), example='"admin"') or ext_config.DOI_EXT_CURATOR_ROLE


def doi_filter(config: Mapping[str, Any] | None = None) -> Any:
    """``DOI_EXT_FILTER`` as configured: None, a callable, or its import path (checked importable)."""
    value = raw("DOI_EXT_FILTER", config)
    _check_filter("DOI_EXT_FILTER", value)
    return value


def community_filters(config: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """``DOI_EXT_COMMUNITY_FILTERS``: community slug or id → filter (forms as ``DOI_EXT_FILTER``)."""
    key = "DOI_EXT_COMMUNITY_FILTERS"
    value = forms.mapping(key, raw(key, config), example='{"my-community": filters.has_files()}')
    for community, chosen in value.items():
        _check_filter(f"{key}[{community!r}]", chosen)
    return value


def _check_filter(key: str, value: Any) -> None:
    if value is None:
        return
    example = "invenio_doi_ext.rdm.filters:is_public"
    found = forms.imported(key, value, what="a filter (record, context) -> bool", example=example)
    if not callable(found):
        raise ConfigurationError(
            f"{key} = {value!r} is not callable as (record, context) -> bool: use one of "
            f"invenio_doi_ext.rdm.filters or an import path such as {example!r}, or None."
        )


def notify_enabled(config: Mapping[str, Any] | None = None) -> bool:
    """``DOI_EXT_NOTIFY_ENABLED``: whether operators get the digest of failures."""
    return forms.flag("DOI_EXT_NOTIFY_ENABLED", raw("DOI_EXT_NOTIFY_ENABLED", config))


def notify_interval(config: Mapping[str, Any] | None = None) -> timedelta:
    """``DOI_EXT_NOTIFY_INTERVAL``: at most one digest per interval."""
    key = "DOI_EXT_NOTIFY_INTERVAL"
    return forms.duration(key, raw(key, config), example="timedelta(hours=1)")


def notify_role(config: Mapping[str, Any] | None = None) -> str:
    """``DOI_EXT_NOTIFY_ROLE``: who receives the digest; unset, the curators' role."""
    key = "DOI_EXT_NOTIFY_ROLE"
    return forms.optional_text(key, raw(key, config), example='"admin"') or curator_role(config)


def metrics_token(config: Mapping[str, Any] | None = None) -> str | None:
    """``DOI_EXT_METRICS_TOKEN``: a bearer token that may read the metrics, or None."""
    key = "DOI_EXT_METRICS_TOKEN"
    return forms.optional_text(key, raw(key, config), example='"a long random string"')


def health_max_lag(config: Mapping[str, Any] | None = None) -> timedelta:
    """``DOI_EXT_HEALTH_MAX_LAG``: how long the oldest due DOI may wait before health is 503."""
    key = "DOI_EXT_HEALTH_MAX_LAG"
    return forms.duration(key, raw(key, config), example="timedelta(minutes=15)")
