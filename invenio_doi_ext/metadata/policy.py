"""Which metadata DataCite may hold for a record: the restricted-record policy.

DataCite's "registered" state resolves but is not findable; its metadata can
still be read through DataCite's API. So a restricted record must never send
its real metadata, only the redacted template.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app

REDACTED = "redacted"
NONE = "none"


def policy() -> str:
    """The configured policy for restricted records."""
    return current_app.config.get("DOI_EXT_RESTRICTED_POLICY", REDACTED)


def is_metadata_restricted(record: Any) -> bool:
    """True when the record's metadata is not public (restricted or embargoed record).

    An embargoed record is ``restricted`` until the embargo lifts; restricted or
    embargoed *files* leave the metadata public.
    """
    access = record.get("access", {}) if isinstance(record, Mapping) else {}
    if hasattr(record, "access") and not isinstance(record, Mapping):
        access = record.access.dump() if hasattr(record.access, "dump") else record.access
    return access.get("record") == "restricted"


def _publication_year(record: Any) -> str:
    published = (record.get("metadata", {}) or {}).get("publication_date") or ""
    year = str(published)[:4]
    return year if len(year) == 4 and year.isdigit() else str(date.today().year)


def _resource_type_general(full_payload: Mapping[str, Any] | None) -> str:
    types = (full_payload or {}).get("types") or {}
    return types.get("resourceTypeGeneral") or "Other"


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def redacted_payload(record: Any, full_payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The template of ``DOI_EXT_REDACTED_METADATA`` filled with what may be public.

    Only the repository (publisher), the year and the general resource type are
    taken from the record; a DataCite-required field never holds record text.
    """
    template = copy.deepcopy(current_app.config["DOI_EXT_REDACTED_METADATA"])
    values = {
        "publisher": current_app.config.get("THEME_SITENAME") or "Invenio",
        "year": _publication_year(record),
        "resource_type_general": _resource_type_general(full_payload),
    }
    payload = _fill(template, values)
    payload.setdefault("schemaVersion", "http://datacite.org/schema/kernel-4")
    return payload
