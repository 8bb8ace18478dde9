"""The forms a configured value may take, and the one canonical value each becomes.

An operator writes ``DOI_EXT_HTTP_TIMEOUT = 3`` or ``(5, 30)``, a duration as seconds or
as a ``timedelta``; the code that uses a value wants one form only. Each function here
takes the key and the value, returns the canonical value, and raises
:class:`ConfigurationError` naming the key, what was given and what to write instead,
so the same words appear at start-up and wherever a value is read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from werkzeug.utils import ImportStringError, import_string


class ConfigurationError(RuntimeError):
    """Raised at start-up when a key cannot work; the message names key and fix."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(key: str, value: Any, *, minimum: float = 0.0, strict: bool = False, example: str) -> float:
    """A finite number of seconds (or count) at least ``minimum`` (above it when ``strict``)."""
    if not _is_number(value) or not math.isfinite(value):
        raise ConfigurationError(f"{key} = {_shown(value)} is not a number: write for example {example}.")
    if value < minimum or (strict and value == minimum):
        bound = "above" if strict else "at least"
        raise ConfigurationError(
            f"{key} = {_shown(value)} is out of range: it must be {bound} {minimum:g}; "
            f"write for example {example}."
        )
    return float(value)


def seconds(key: str, value: Any, *, allow_zero: bool = False, example: str) -> float:
    """A duration given as seconds or as a ``timedelta``, in seconds."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    elif not _is_number(value):
        raise ConfigurationError(
            f"{key} = {_shown(value)} is not a duration: give seconds or a timedelta, for example {example}."
        )
    return number(key, value, strict=not allow_zero, example=example)


def duration(key: str, value: Any, *, example: str) -> timedelta:
    """A positive duration (seconds or ``timedelta``) as a ``timedelta``."""
    return timedelta(seconds=seconds(key, value, example=example))


def pair(
    key: str, value: Any, names: tuple[str, str], *, allow_single: bool, example: str
) -> tuple[float, float]:
    """Two positive numbers, e.g. (connect, read); one number stands for both when allowed.

    A string of one or two numbers (``"5, 30"``) is accepted too, as environment
    variables give it.
    """
    given = value
    if isinstance(value, str):
        parts = [part for part in value.replace(",", " ").split() if part]
        try:
            value = tuple(float(part) for part in parts)
        except ValueError:
            value = given
        if isinstance(value, tuple) and len(value) == 1:
            value = value[0]
    if _is_number(value):
        if not allow_single:
            raise ConfigurationError(
                f"{key} = {_shown(given)} is one number; it must be a pair ({names[0]}, {names[1]}), "
                f"for example {example}."
            )
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        either = "a number or " if allow_single else ""
        raise ConfigurationError(
            f"{key} = {_shown(given)} is not {either}a pair ({names[0]}, {names[1]}) of seconds: "
            f"write for example {example}."
        )
    first, second = (
        number(f"{key} ({name})", item, strict=True, example=example) for name, item in zip(names, value)
    )
    return first, second


def whole(key: str, value: Any, *, minimum: int, example: str) -> int:
    """A whole number at least ``minimum``."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigurationError(
            f"{key} = {_shown(value)} is not a whole number of at least {minimum}: "
            f"write for example {example}."
        )
    return value


def flag(key: str, value: Any) -> bool:
    """``True`` or ``False``, nothing that merely looks like one (``"False"`` is true in Python)."""
    if not isinstance(value, bool):
        raise ConfigurationError(
            f"{key} = {_shown(value)} is not True or False: write {key} = True or False."
        )
    return value


def choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    """One of ``choices``."""
    if value not in choices:
        options = " or ".join(f'"{item}"' for item in choices)
        raise ConfigurationError(f"{key} = {_shown(value)} is unknown: use {options}.")
    return value


def optional_text(key: str, value: Any, *, example: str) -> str | None:
    """A non-empty string, or ``None`` (an empty string counts as ``None``)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"{key} = {_shown(value)} is not a string: write for example {example}, or None."
        )
    return value


def mapping(key: str, value: Any, *, example: str) -> Mapping[str, Any]:
    """A dict (``None`` counts as empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{key} = {_shown(value)} is not a dict: write for example {example}.")
    return value


def imported(key: str, value: Any, *, what: str, example: str) -> Any:
    """An object given as itself or as an import path (``"package.module:name"``)."""
    if not isinstance(value, str):
        return value
    try:
        return import_string(value)
    except (ImportStringError, ImportError, AttributeError, ValueError) as exc:
        raise ConfigurationError(
            f"{key} = {_shown(value)} cannot be imported ({type(exc).__name__}): set it to {what} "
            f"or its import path, for example {example!r}."
        ) from None


def subclass(key: str, value: Any, base: type, *, example: str) -> type:
    """A subclass of ``base``, given as the class or its import path."""
    what = f"a subclass of {base.__module__}.{base.__qualname__}"
    cls = imported(key, value, what=what, example=example)
    if not isinstance(cls, type) or not issubclass(cls, base):
        raise ConfigurationError(
            f"{key} = {_shown(value)} is not {what}: set it to such a class or its import path, "
            f"for example {example!r}."
        )
    return cls


def callable_or_flag(key: str, value: Any, *, example: str) -> bool | Callable[..., Any]:
    """``True``/``False``/``None``, or a callable (or its import path)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    found = imported(key, value, what="True, False, or a callable", example=example)
    if not callable(found):
        raise ConfigurationError(
            f"{key} = {_shown(value)} is neither True/False nor a callable: write {key} = True, "
            f"False, or a function (or its import path such as {example!r})."
        )
    return found
