"""Compare metadata we send with metadata DataCite answers with.

DataCite answers with more attributes than were sent and in other shapes
(``publicationYear`` as a number, publisher and affiliation flattened to strings
unless asked otherwise), so equal metadata must be compared in one spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .fingerprint import fingerprint

#: Attributes DataCite answers as plain strings unless asked otherwise (``?publisher=true``).
FLATTENED = ("publisher", "affiliation")


def plain(value: Any, key: str | None = None) -> Any:
    """One spelling of equal metadata, whichever shape DataCite answers with."""
    if key in FLATTENED:
        if isinstance(value, Mapping):
            return value.get("name")
        if isinstance(value, list):
            return [item.get("name") if isinstance(item, Mapping) else item for item in value]
    if isinstance(value, Mapping):
        return {name: plain(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def held(attributes: Mapping[str, Any] | None, keys: Iterable[str]) -> dict[str, Any]:
    """DataCite's attributes limited to the keys we send (it adds many of its own)."""
    attributes = attributes or {}
    return {key: attributes[key] for key in keys if key in attributes}


def same_metadata(sent: Mapping[str, Any] | None, answered: Mapping[str, Any] | None) -> bool:
    """Whether DataCite holds the metadata we would send (compared on our keys only)."""
    sent = dict(sent or {})
    return fingerprint(plain(held(answered, sent.keys())), None) == fingerprint(plain(sent), None)
