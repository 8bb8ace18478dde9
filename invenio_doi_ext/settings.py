"""Resolve and check the effective configuration when the application starts.

Operators upgrade with old ``invenio.cfg`` files and mistype prefixes; both must
be caught at start-up with a message naming the key and the fix, not as a
failed registration weeks later.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from . import config as ext_config

PREFIX_PATTERN = re.compile(r"^10\.\d{4,9}$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[-._;()/:a-zA-Z0-9*~$=]+$")
DOI_MAX_LENGTH = 255
TEST_API_URL = "https://api.test.datacite.org/"
PRODUCTION_API_URL = "https://api.datacite.org/"

_MISSING = object()

UPSTREAM_KEYS = {
    "DATACITE_ENABLED": "Mint DataCite DOIs (upstream key).",
    "DATACITE_USERNAME": "DataCite repository account (upstream key).",
    "DATACITE_PASSWORD": "DataCite repository password (upstream key; never printed).",
    "DATACITE_PREFIX": "DOI prefix of the account, 10.NNNN (upstream key).",
    "DATACITE_TEST_MODE": "Use DataCite's test system (upstream key, default True).",
    "DATACITE_FORMAT": "DOI format: a string with {prefix} and {id}, or a callable.",
}
"""Upstream keys this package reads; their defaults stay invenio-rdm-records'."""

LEGACY_KEYS = {
    "RDM_RECORDS_DOI_DATACITE_ENABLED": "DATACITE_ENABLED",
    "RDM_RECORDS_DOI_DATACITE_USERNAME": "DATACITE_USERNAME",
    "RDM_RECORDS_DOI_DATACITE_PASSWORD": "DATACITE_PASSWORD",
    "RDM_RECORDS_DOI_DATACITE_PREFIX": "DATACITE_PREFIX",
    "RDM_RECORDS_DOI_DATACITE_TEST_MODE": "DATACITE_TEST_MODE",
    "RDM_RECORDS_DOI_DATACITE_FORMAT": "DATACITE_FORMAT",
}
"""Keys of older InvenioRDM releases, honoured when the new key is not set."""

SECRET_KEYS = ("DATACITE_PASSWORD",)
"""Keys whose values are masked wherever configuration is shown."""


class ConfigurationError(RuntimeError):
    """Raised at start-up when a key cannot work; the message names key and fix."""


class LegacyConfigWarning(DeprecationWarning):
    """An ``RDM_RECORDS_DOI_DATACITE_*`` key was used in place of its new name."""


def _upstream_defaults() -> Mapping[str, Any]:
    """Upstream's own defaults, to tell 'set by the operator' from 'default'."""
    try:
        from invenio_rdm_records import config as rdm_config
    except ImportError:  # pragma: no cover - invenio-rdm-records is a dependency
        return {}
    return {key: getattr(rdm_config, key) for key in UPSTREAM_KEYS if hasattr(rdm_config, key)}


def apply_legacy_keys(config: MutableMapping[str, Any]) -> list[str]:
    """Copy legacy key values onto new keys the operator did not set.

    A new key counts as not set when it is absent or still holds
    invenio-rdm-records' default. Returns the legacy keys that were used.
    """
    defaults = _upstream_defaults()
    used = []
    for legacy, new in LEGACY_KEYS.items():
        if legacy not in config:
            continue
        current = config.get(new, _MISSING)
        if current is _MISSING or (new in defaults and current == defaults[new]):
            config[new] = config[legacy]
            used.append(legacy)
            warnings.warn(
                f"{legacy} is deprecated: rename it to {new} in invenio.cfg.",
                LegacyConfigWarning,
                stacklevel=2,
            )
    return used


def set_defaults(config: MutableMapping[str, Any]) -> None:
    """Give every ``DOI_EXT_*`` key its default without overriding the operator."""
    for key in dir(ext_config):
        if key.startswith("DOI_EXT_"):
            config.setdefault(key, getattr(ext_config, key))
    for key, value in _upstream_defaults().items():
        config.setdefault(key, value)


def datacite_url(config: Mapping[str, Any]) -> str:
    """The API base URL: the override, else DataCite's test or production host."""
    url = config.get("DOI_EXT_DATACITE_URL")
    if url:
        return url if url.endswith("/") else url + "/"
    return TEST_API_URL if config.get("DATACITE_TEST_MODE", True) else PRODUCTION_API_URL


def rate_limit(config: Mapping[str, Any]) -> str:
    """The effective rate limit string (DataCite's test system allows fewer calls)."""
    configured = config.get("DOI_EXT_RATE_LIMIT")
    if configured:
        return configured
    return "700 per 5 minutes" if config.get("DATACITE_TEST_MODE", True) else "2700 per 5 minutes"


def rate_limit_storage(config: Mapping[str, Any]) -> str:
    """Where the shared rate-limit window lives: Redis when the instance has one."""
    configured = config.get("DOI_EXT_RATE_LIMIT_STORAGE")
    if configured:
        return configured
    cache_type = str(config.get("CACHE_TYPE", "")).lower()
    redis_url = config.get("CACHE_REDIS_URL")
    if redis_url and "redis" in cache_type:
        return redis_url
    return "memory://"


class _SampleRecord(dict):
    """Stands in for a record when a callable format is tried at start-up."""

    class _PID:
        pid_value = "abcd-1234"

    pid = _PID()
    id = "00000000-0000-0000-0000-000000000000"


def format_doi(doi_format: str | Callable[..., str], prefix: str, record: Any = None) -> str:
    """Build a DOI the way upstream documents it: ``f(prefix, record)`` or a format string."""
    record = record if record is not None else _SampleRecord()
    if callable(doi_format):
        return doi_format(prefix, record)
    return doi_format.format(prefix=prefix, id=record.pid.pid_value)


def validate(config: Mapping[str, Any]) -> None:
    """Stop start-up when DataCite is enabled with settings that cannot work."""
    if not config.get("DATACITE_ENABLED"):
        return
    prefix = config.get("DATACITE_PREFIX")
    if not prefix:
        raise ConfigurationError(
            "DATACITE_PREFIX is empty while DATACITE_ENABLED is True: set "
            "DATACITE_PREFIX = \"10.NNNN\" (your DataCite prefix) in invenio.cfg, "
            "or set DATACITE_ENABLED = False."
        )
    if not PREFIX_PATTERN.match(str(prefix)):
        raise ConfigurationError(
            f"DATACITE_PREFIX {prefix!r} is not a DOI prefix: it must look like "
            "\"10.1234\" (10, a dot, then at least four digits, no slash)."
        )
    if not config.get("DATACITE_USERNAME"):
        raise ConfigurationError(
            "DATACITE_USERNAME is empty while DATACITE_ENABLED is True: set it to your "
            "DataCite repository account (for example \"CERN.ZENODO\")."
        )
    _validate_format(config.get("DATACITE_FORMAT", "{prefix}/{id}"), prefix)
    policy = config.get("DOI_EXT_RESTRICTED_POLICY", "redacted")
    if policy not in ("redacted", "none"):
        raise ConfigurationError(
            f"DOI_EXT_RESTRICTED_POLICY {policy!r} is unknown: use \"redacted\" or \"none\"."
        )
    landing = config.get("DOI_EXT_LANDING_URL", "")
    if "{doi}" not in landing:
        raise ConfigurationError(
            f"DOI_EXT_LANDING_URL {landing!r} has no {{doi}} placeholder: use for example "
            "\"{site}/doi/{doi}\"."
        )


def _validate_format(doi_format: Any, prefix: str) -> None:
    """Produce a sample DOI from the format and check it is a valid DOI under the prefix."""
    if not callable(doi_format) and not isinstance(doi_format, str):
        raise ConfigurationError(
            f"DATACITE_FORMAT must be a string with {{prefix}} and {{id}} or a callable, "
            f"not {type(doi_format).__name__}."
        )
    if isinstance(doi_format, str) and "{id}" not in doi_format:
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} has no {{id}} placeholder: every record "
            "would get the same DOI. Use for example \"{prefix}/{id}\"."
        )
    try:
        sample = format_doi(doi_format, prefix)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} cannot be filled in ({exc!r}): only the "
            "placeholders {prefix} and {id} are available, e.g. \"{prefix}/zenodo.{id}\"."
        ) from exc
    if not isinstance(sample, str) or not DOI_PATTERN.match(sample) or len(sample) > DOI_MAX_LENGTH:
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} produces {sample!r}, which is not a valid "
            "DOI: it must start with the prefix, a slash, then only letters, digits and "
            "-._;()/:*~$=."
        )
    if not sample.lower().startswith(f"{prefix}/".lower()):
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} produces {sample!r}, which is not under "
            f"DATACITE_PREFIX {prefix!r}: DataCite refuses DOIs under another prefix (403). "
            "Start the format with \"{prefix}/\"."
        )


def effective(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration as it will be used, secrets masked, for operators to read."""
    keys = list(UPSTREAM_KEYS) + sorted(k for k in dir(ext_config) if k.startswith("DOI_EXT_"))
    shown: dict[str, Any] = {}
    for key in keys:
        value = config.get(key)
        if key in SECRET_KEYS:
            value = mask(value)
        elif isinstance(value, str):
            value = mask_url(value)
        elif callable(value):
            value = f"<callable {getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', value)}>"
        shown[key] = value
    shown["(effective) DataCite API URL"] = datacite_url(config)
    shown["(effective) rate limit"] = rate_limit(config)
    shown["(effective) rate limit storage"] = mask_url(rate_limit_storage(config))
    return shown


def mask(value: Any) -> str:
    """Never show a secret; say only whether it is set."""
    return "***" if value else "(not set)"


def mask_url(url: str) -> str:
    """Hide a password embedded in a storage URL."""
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)
