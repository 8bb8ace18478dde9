"""The DataCite payload of a file DOI, derived from its record's payload.

A file DOI describes one file of a version: the record's creators, publisher,
publication year, rights and resource type, with the file's own name as the
title, its size and its format, and ``IsPartOf`` the record's DOI. DataCite's
schema (kernel-4) has ``sizes`` and ``formats`` but no checksum property, so the
checksum is not sent (a free-text description would not be machine-readable).
A restricted file never sends its name, size or format: under the redacted
policy its DOI holds the redacted template, as a restricted record's does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import policy
from .payload import with_cleared

#: What a file DOI takes over from its record's payload.
FROM_RECORD = ("creators", "publisher", "publicationYear", "rightsList", "schemaVersion", "language")

#: ``types.resourceType`` of a file DOI (the general type is the record's).
FILE_RESOURCE_TYPE = "File"


@dataclass(frozen=True)
class FileFacts:
    """What a file DOI may say about its file (read from the record's file entry)."""

    key: str
    size: int | None = None
    mimetype: str | None = None
    checksum: str | None = None
    file_id: str | None = None


def part_of(record_doi: str | None) -> list[dict[str, str]]:
    """``IsPartOf`` the record's DOI (none while the draft has no DOI yet)."""
    if not record_doi:
        return []
    return [{"relatedIdentifier": record_doi, "relationType": "IsPartOf", "relatedIdentifierType": "DOI"}]


def file_payload(
    record_payload: Mapping[str, Any], facts: FileFacts, record_doi: str | None
) -> dict[str, Any]:
    """A public file's DataCite metadata: its record's, with the file's name, size and format."""
    data: dict[str, Any] = {key: record_payload[key] for key in FROM_RECORD if record_payload.get(key)}
    general = (record_payload.get("types") or {}).get("resourceTypeGeneral") or "Other"
    data["types"] = {"resourceTypeGeneral": general, "resourceType": FILE_RESOURCE_TYPE}
    data["titles"] = [{"title": facts.key}]
    if facts.size is not None:
        data["sizes"] = [f"{facts.size} bytes"]
    if facts.mimetype:
        data["formats"] = [facts.mimetype]
    related = part_of(record_doi)
    if related:
        data["relatedIdentifiers"] = related
    return with_cleared(data)


def redacted_file_payload(record: Any, record_doi: str | None) -> dict[str, Any]:
    """A restricted file's DataCite metadata: the redacted template, nothing of the file.

    ``IsPartOf`` the record's DOI only when the record's own metadata is public
    (then its DOI is findable and says as much); a restricted record's files say
    nothing that links them.
    """
    data = policy.redacted_payload(record)
    if not policy.is_metadata_restricted(record):
        data["relatedIdentifiers"] = part_of(record_doi)
    return data


def with_parts(payload: dict[str, Any], file_dois: Iterable[str]) -> dict[str, Any]:
    """A record's payload listing its files' DOIs as ``HasPart`` (unchanged when there are none)."""
    parts = [
        {"relatedIdentifier": doi, "relationType": "HasPart", "relatedIdentifierType": "DOI"}
        for doi in file_dois
    ]
    if not parts:
        return payload
    related = list(payload.get("relatedIdentifiers") or [])
    related += [part for part in parts if part not in related]
    payload["relatedIdentifiers"] = related
    return payload
