"""What the extension runs at start-up: defaults, the checks, one form per value, the report.

:func:`validate` calls every accessor of :mod:`.access`, so a value that cannot work
stops the application with the accessor's own message (key and fix);
:func:`resolve` then stores the canonical form of the values that have several.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from .. import config as ext_config
from . import account, accounts
from . import files as file_settings
from .access import (
    backoff,
    circuit_breaker,
    coalesce_seconds,
    community_filters,
    contact_email,
    curation_required,
    curator_role,
    datacite_enabled,
    datacite_url,
    doi_filter,
    enabled,
    health_max_lag,
    http_timeout,
    job_ttl,
    landing_url_template,
    lease_seconds,
    metrics_token,
    notify_enabled,
    notify_interval,
    notify_role,
    permission_policy,
    rate_limit,
    rate_limit_storage,
    redacted_metadata,
    reserve_on_draft,
    restricted_policy,
    sweep_batch,
    sweep_interval,
    task_queue,
)
from .masking import mask, mask_url


def set_defaults(config: MutableMapping[str, Any]) -> None:
    """Give every ``DOI_EXT_*`` key its default without overriding the operator."""
    for key in _own_keys():
        config.setdefault(key, getattr(ext_config, key))
    for key, value in account.upstream_defaults().items():
        config.setdefault(key, value)


def _own_keys() -> list[str]:
    return sorted(key for key in dir(ext_config) if key.startswith("DOI_EXT_"))


#: Accessors whose canonical value is written back by :func:`resolve`.
_RESOLVED = {
    "DOI_EXT_HTTP_TIMEOUT": http_timeout,
    "DOI_EXT_BACKOFF": lambda config: tuple(backoff(config)),
    "DOI_EXT_CIRCUIT_BREAKER": lambda config: circuit_breaker(config)._asdict(),
    "DOI_EXT_SWEEP_INTERVAL": sweep_interval,
    "DOI_EXT_COALESCE_SECONDS": coalesce_seconds,
    "DOI_EXT_JOB_TTL": job_ttl,
}

#: Every accessor of a ``DOI_EXT_*`` key: :func:`validate` calls each one.
_CHECKS: tuple[Callable[[Mapping[str, Any]], Any], ...] = (
    enabled,
    datacite_url,
    restricted_policy,
    redacted_metadata,
    reserve_on_draft,
    rate_limit,
    rate_limit_storage,
    http_timeout,
    backoff,
    circuit_breaker,
    lease_seconds,
    sweep_interval,
    sweep_batch,
    coalesce_seconds,
    landing_url_template,
    contact_email,
    task_queue,
    job_ttl,
    permission_policy,
    curation_required,
    curator_role,
    doi_filter,
    community_filters,
    notify_enabled,
    notify_interval,
    notify_role,
    metrics_token,
    health_max_lag,
    *file_settings.CHECKS,
)


def validate(config: Mapping[str, Any]) -> None:
    """Stop start-up on any value that cannot work, naming the key and the fix.

    This package's keys are checked always (a mistyped policy would otherwise
    answer 500 on every DOI route); the DataCite account when DataCite is enabled.
    """
    for check in _CHECKS:
        check(config)
    accounts.configured_accounts(config)
    accounts.community_accounts(config)
    if datacite_enabled(config):
        account.check_account(config)
        accounts.check_accounts(config)


def resolve(config: MutableMapping[str, Any]) -> None:
    """Store the canonical form of each value that has several (``3`` → ``(3.0, 3.0)``).

    Run once at start-up after :func:`validate`, so that the configuration as
    printed and as read is in one form; the accessors still accept every form,
    for values changed later (tests).
    """
    for key, accessor in _RESOLVED.items():
        config[key] = accessor(config)


def _masked_account(given: Any) -> Any:
    """An entry of ``DOI_EXT_DATACITE_ACCOUNTS`` as shown: no password, no secret in a URL."""
    if not isinstance(given, Mapping):
        return given
    return {
        key: mask(value) if key == "password" else mask_url(value) if isinstance(value, str) else value
        for key, value in given.items()
    }


def effective(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration as it will be used, secrets masked, for operators to read."""
    shown: dict[str, Any] = {}
    for key in list(account.UPSTREAM_KEYS) + _own_keys():
        value = config.get(key)
        if key in account.SECRET_KEYS:
            value = mask(value)
        elif key == accounts.ACCOUNTS_KEY and isinstance(value, Mapping):
            value = {name: _masked_account(given) for name, given in value.items()}
        elif isinstance(value, str):
            value = mask_url(value)
        elif callable(value):
            value = f"<callable {getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', value)}>"
        shown[key] = value
    shown["(effective) DataCite API URL"] = mask_url(datacite_url(config))
    shown["(effective) rate limit"] = rate_limit(config)
    shown["(effective) rate limit storage"] = mask_url(rate_limit_storage(config))
    shown["(effective) lease seconds"] = lease_seconds(config)
    shown["(effective) DataCite accounts"] = {
        name: {
            "username": each.username,
            "prefixes": list(each.prefixes),
            "url": mask_url(accounts.account_url(each, config)),
            "test_mode": each.test_mode,
        }
        for name, each in accounts.configured_accounts(config).items()
    }
    return shown
