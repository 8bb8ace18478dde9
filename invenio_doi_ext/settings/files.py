"""File-level DOIs: ``DOI_EXT_FILE_DOIS`` and the keys that limit and shape them.

Each accessor turns the documented forms of a value into one canonical value,
or raises :class:`~.forms.ConfigurationError` naming the key and the fix; the
start-up check (:func:`invenio_doi_ext.settings.validate`) calls every one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from . import forms
from .access import raw
from .forms import ConfigurationError

KEY = "DOI_EXT_FILE_DOIS"
FORMAT_KEY = "DOI_EXT_FILE_DOIS_FORMAT"
MIN_SIZE_KEY = "DOI_EXT_FILE_DOIS_MIN_SIZE"
MAX_SIZE_KEY = "DOI_EXT_FILE_DOIS_MAX_SIZE"
TYPES_KEY = "DOI_EXT_FILE_DOIS_TYPES"

#: The placeholders of ``DOI_EXT_FILE_DOIS_FORMAT``.
FORMAT_PLACEHOLDERS = ("prefix", "id", "recid")

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]*/(\*|[A-Za-z0-9][\w.+-]*)$")
_EXTENSION = re.compile(r"^\.[A-Za-z0-9][\w.+-]*$")

_EXAMPLE = 'True, or {"my-community": True}, or "my_package.module:has_file_dois"'


def file_dois(config: Mapping[str, Any] | None = None) -> bool | Mapping[str, bool] | Callable[..., Any]:
    """``DOI_EXT_FILE_DOIS``: ``False``, ``True``, ``{community: bool}``, or ``(record) -> bool``."""
    value = raw(KEY, config)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, Mapping):
        for community, flag in value.items():
            if not isinstance(community, str) or not community.strip():
                raise ConfigurationError(
                    f"{KEY} has the key {community!r}: the keys are community slugs or ids (strings), "
                    f'for example {{"my-community": True}}.'
                )
            forms.flag(f"{KEY}[{community!r}]", flag)
        return value
    found = forms.imported(
        KEY, value, what="True, False, a dict or a callable (record) -> bool", example=_EXAMPLE
    )
    if not callable(found):
        raise ConfigurationError(
            f"{KEY} = {value!r} is neither True/False, a dict of communities, nor a callable: "
            f"write for example {KEY} = {_EXAMPLE}."
        )
    return found


def file_dois_configured(config: Mapping[str, Any] | None = None) -> bool:
    """Whether any record may have file DOIs (``False`` means the feature is off everywhere)."""
    value = file_dois(config)
    if isinstance(value, Mapping):
        return any(value.values())
    return bool(value)


def file_doi_format(config: Mapping[str, Any] | None = None) -> str:
    """``DOI_EXT_FILE_DOIS_FORMAT``: a string with ``{prefix}`` and ``{id}``, and maybe ``{recid}``."""
    value = raw(FORMAT_KEY, config)
    example = '"{prefix}/{id}" or "{prefix}/{recid}.{id}"'
    if not isinstance(value, str):
        raise ConfigurationError(f"{FORMAT_KEY} = {value!r} is not a string: write for example {example}.")
    names = _PLACEHOLDER.findall(value)
    unknown = [name for name in names if name not in FORMAT_PLACEHOLDERS]
    if unknown:
        raise ConfigurationError(
            f"{FORMAT_KEY} = {value!r} uses {{{unknown[0]}}}, which is not a placeholder of file DOIs "
            f"(use {{prefix}}, {{id}} and {{recid}}): write for example {example}."
        )
    if not value.startswith("{prefix}/") or "id" not in names:
        raise ConfigurationError(
            f"{FORMAT_KEY} = {value!r} must start with {{prefix}}/ and contain {{id}} (which makes "
            f"each file's DOI unique): write for example {example}."
        )
    return value


def _size(key: str, config: Mapping[str, Any] | None) -> int | None:
    value = raw(key, config)
    if value is None:
        return None
    return forms.whole(key, value, minimum=0, example=f"{key} = 1024 * 1024 (bytes), or None")


def file_doi_min_size(config: Mapping[str, Any] | None = None) -> int | None:
    """``DOI_EXT_FILE_DOIS_MIN_SIZE``: bytes, or ``None``."""
    return _size(MIN_SIZE_KEY, config)


def file_doi_max_size(config: Mapping[str, Any] | None = None) -> int | None:
    """``DOI_EXT_FILE_DOIS_MAX_SIZE``: bytes, or ``None`` (never below the minimum)."""
    most = _size(MAX_SIZE_KEY, config)
    least = file_doi_min_size(config)
    if most is not None and least is not None and most < least:
        raise ConfigurationError(
            f"{MAX_SIZE_KEY} = {most} is below {MIN_SIZE_KEY} = {least}: no file could get a DOI; "
            f"raise {MAX_SIZE_KEY} or lower {MIN_SIZE_KEY}."
        )
    return most


def file_doi_types(config: Mapping[str, Any] | None = None) -> tuple[str, ...] | None:
    """``DOI_EXT_FILE_DOIS_TYPES``: MIME types, ``family/*`` or ``.ext`` (lower case), or ``None``."""
    value = raw(TYPES_KEY, config)
    if value is None:
        return None
    example = '["text/csv", "image/*", ".nc"]'
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)) or not value:
        raise ConfigurationError(
            f"{TYPES_KEY} = {value!r} is not a non-empty list: write for example "
            f"{TYPES_KEY} = {example}, or None."
        )
    for item in value:
        if not isinstance(item, str) or not (_MIME.match(item) or _EXTENSION.match(item)):
            raise ConfigurationError(
                f'{TYPES_KEY} has {item!r}, which is neither a MIME type ("text/csv"), a MIME family '
                f'("image/*") nor a file name extension (".nc"): write for example {example}.'
            )
    return tuple(item.lower() for item in value)


CHECKS = (file_dois, file_doi_format, file_doi_min_size, file_doi_max_size, file_doi_types)
"""Every accessor of this module, for the start-up check."""
