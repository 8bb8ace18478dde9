"""What goes on the wire: DOI paths and JSON:API bodies.

Both are built fresh on every call so that nothing the caller holds is changed
(the ``datacite`` package writes ``doi``, ``url`` and ``event`` into the caller's
dict) and so that a DOI with ``#``, ``?``, ``%`` or a space reaches DataCite whole.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

#: DataCite's own JSON:API media type; ``application/json`` is only an alias.
CONTENT_TYPE = "application/vnd.api+json"

#: The events a PUT may carry; no event means "create as draft or update".
EVENTS = frozenset({"publish", "register", "hide"})


def doi_path(doi: str) -> str:
    """``dois/<doi>`` with the DOI escaped, keeping the prefix/suffix slash."""
    return "dois/" + quote(doi, safe="/")


def doi_url(base_url: str, doi: str) -> str:
    return base_url.rstrip("/") + "/" + doi_path(doi)


def build_body(
    doi: str,
    metadata: Mapping[str, Any] | None = None,
    url: str | None = None,
    event: str | None = None,
    *,
    client: str | None = None,
) -> dict[str, Any]:
    """A new ``{"data": {"type": "dois", "attributes": ...}}`` document.

    ``doi``, ``url`` and ``event`` win over the same keys in ``metadata``; ``url`` and
    ``event`` are left out when None so that a metadata-only update keeps the URL
    DataCite holds. ``client`` (our repository) goes in ``relationships``: DataCite
    looks the repository of a new DOI up before it checks the caller, so without it a
    wrong password creating a DOI answers 404 (lupo ``Doi#client_id=``) instead of 401.
    """
    if event is not None and event not in EVENTS:
        raise ValueError(f"unknown DataCite event {event!r}")
    attributes: dict[str, Any] = copy.deepcopy(dict(metadata)) if metadata else {}
    attributes.pop("event", None)
    attributes["doi"] = doi
    if url is not None:
        attributes["url"] = url
    if event is not None:
        attributes["event"] = event
    data: dict[str, Any] = {"type": "dois", "attributes": attributes}
    if client:
        data["relationships"] = {"client": {"data": {"type": "clients", "id": client}}}
    return {"data": data}
