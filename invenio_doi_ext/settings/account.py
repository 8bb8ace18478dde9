"""InvenioRDM's own ``DATACITE_*`` keys: their defaults, their legacy names, the account checks.

These keys keep upstream's meaning and upstream's defaults (invenio-rdm-records'
``config.py``); this module is the part of :mod:`invenio_doi_ext.settings` that knows
them. Operators upgrade with old ``invenio.cfg`` files and mistype prefixes; both are
caught at start-up with a message naming the key and the fix.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from .. import doi_syntax
from .forms import ConfigurationError

UPSTREAM_KEYS = {
    "DATACITE_ENABLED": "Mint DataCite DOIs (upstream key).",
    "DATACITE_USERNAME": "DataCite repository account (upstream key).",
    "DATACITE_PASSWORD": "DataCite repository password (upstream key; never printed).",
    "DATACITE_PREFIX": "DOI prefix of the account, 10.NNNN (upstream key).",
    "DATACITE_ADDITIONAL_PREFIXES": "Further prefixes of the account, each 10.NNNN (upstream key).",
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

_FALLBACK = {
    "DATACITE_ENABLED": False,
    "DATACITE_USERNAME": "",
    "DATACITE_PASSWORD": "",
    "DATACITE_PREFIX": "",
    "DATACITE_ADDITIONAL_PREFIXES": [],
    "DATACITE_TEST_MODE": True,
    "DATACITE_FORMAT": "{prefix}/{id}",
}
"""Upstream's documented defaults, used only where invenio-rdm-records lacks a key."""

_MISSING = object()


class LegacyConfigWarning(DeprecationWarning):
    """An ``RDM_RECORDS_DOI_DATACITE_*`` key was used in place of its new name."""


def upstream_defaults() -> dict[str, Any]:
    """Upstream's own defaults, to tell 'set by the operator' from 'default'."""
    try:
        from invenio_rdm_records import config as rdm_config
    except ImportError:  # pragma: no cover - invenio-rdm-records is a dependency
        return dict(_FALLBACK)
    return {key: getattr(rdm_config, key, fallback) for key, fallback in _FALLBACK.items()}


def value(config: Mapping[str, Any], key: str) -> Any:
    """An upstream key's value, or upstream's default when it is absent."""
    return config[key] if key in config else upstream_defaults()[key]


def apply_legacy_keys(config: MutableMapping[str, Any]) -> list[str]:
    """Copy legacy key values onto new keys the operator did not set.

    A new key counts as not set when it is absent or still holds
    invenio-rdm-records' default. Returns the legacy keys that were used.
    """
    defaults = upstream_defaults()
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


def additional_prefixes(config: Mapping[str, Any]) -> list[Any]:
    """``DATACITE_ADDITIONAL_PREFIXES`` as a list (``None`` is none)."""
    prefixes = value(config, "DATACITE_ADDITIONAL_PREFIXES")
    if prefixes is None:
        return []
    if not isinstance(prefixes, (list, tuple)):
        raise ConfigurationError(
            f"DATACITE_ADDITIONAL_PREFIXES = {prefixes!r} is not a list: write for example "
            '["10.5555"], or [] for none.'
        )
    return list(prefixes)


def check_account(config: Mapping[str, Any]) -> None:
    """The account of an enabled DataCite: prefixes, username and DOI format."""
    prefix = value(config, "DATACITE_PREFIX")
    if not prefix:
        raise ConfigurationError(
            "DATACITE_PREFIX is empty while DATACITE_ENABLED is True: set "
            'DATACITE_PREFIX = "10.NNNN" (your DataCite prefix) in invenio.cfg, '
            "or set DATACITE_ENABLED = False."
        )
    named = [("DATACITE_PREFIX", prefix)]
    named += [("DATACITE_ADDITIONAL_PREFIXES", item) for item in additional_prefixes(config)]
    for key, given in named:
        problem = doi_syntax.prefix_problem(given)
        if problem:
            raise ConfigurationError(
                f"{key} {given!r} is not a DOI prefix DataCite can mint under: {problem}. "
                "DataCite creates no DOI under any other prefix (datacite/lupo, app/models/doi.rb)."
            )
    if not value(config, "DATACITE_USERNAME"):
        raise ConfigurationError(
            "DATACITE_USERNAME is empty while DATACITE_ENABLED is True: set it to your "
            'DataCite repository account (for example "CERN.ZENODO").'
        )
    check_format(value(config, "DATACITE_FORMAT") or "{prefix}/{id}", prefix)


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


def check_format(doi_format: Any, prefix: str) -> None:
    """Produce a sample DOI from the format and check it is a valid DOI under the prefix."""
    if not callable(doi_format) and not isinstance(doi_format, str):
        raise ConfigurationError(
            f"DATACITE_FORMAT must be a string with {{prefix}} and {{id}} or a callable, "
            f"not {type(doi_format).__name__}."
        )
    if isinstance(doi_format, str) and "{id}" not in doi_format:
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} has no {{id}} placeholder: every record "
            'would get the same DOI. Use for example "{prefix}/{id}".'
        )
    try:
        sample = format_doi(doi_format, prefix)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} cannot be filled in ({exc!r}): only the "
            'placeholders {prefix} and {id} are available, e.g. "{prefix}/zenodo.{id}".'
        ) from exc
    problem = doi_syntax.doi_problem(sample)
    if problem:
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} produces {sample!r}, which is not a valid DOI: {problem}."
        )
    if not sample.lower().startswith(f"{prefix}/".lower()):
        raise ConfigurationError(
            f"DATACITE_FORMAT {doi_format!r} produces {sample!r}, which is not under "
            f"DATACITE_PREFIX {prefix!r}: DataCite refuses DOIs under another prefix (403). "
            'Start the format with "{prefix}/".'
        )
