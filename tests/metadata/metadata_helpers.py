"""Shared steps of the metadata tests: editing through the real service, reading the sandbox."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from invenio_access.permissions import system_identity

#: What the sandbox holds for a restricted record: the default template, filled in.
REDACTED_TITLE = "Restricted record"


def editable(data: dict[str, Any]) -> dict[str, Any]:
    """The parts of a record's dump that a depositor sends back when saving."""
    keep = ("access", "metadata", "pids", "files", "custom_fields")
    return {key: copy.deepcopy(data[key]) for key in keep if key in data}


def republish(service: Any, record_id: str, change: Callable[[dict], None] | None = None) -> Any:
    """Edit a published record, apply ``change`` to its data, and publish it again."""
    draft = service.edit(system_identity, record_id)
    if change is not None:
        data = editable(draft.data)
        change(data)
        service.update_draft(system_identity, record_id, data)
    return service.publish(system_identity, record_id)


def restrict(data: dict[str, Any]) -> None:
    data["access"]["record"] = "restricted"
    data["access"]["files"] = "restricted"


def make_public(data: dict[str, Any]) -> None:
    data["access"]["record"] = "public"
    data["access"]["files"] = "public"


def doi_of(item: Any) -> str:
    return item.data["pids"]["doi"]["identifier"]


def concept_doi_of(item: Any) -> str:
    return item.data["parent"]["pids"]["doi"]["identifier"]


def bodies(entries: list[dict[str, Any]], doi: str | None = None) -> list[dict[str, Any]]:
    """Attributes of every journaled request with a body (optionally for one DOI)."""
    found = []
    for entry in entries:
        body = entry.get("body")
        if not isinstance(body, dict):
            continue
        attributes = (body.get("data") or {}).get("attributes") or {}
        if doi is None or str(attributes.get("doi", "")).lower() == doi.lower():
            found.append(attributes)
    return found


def text(value: Any) -> str:
    """Everything sent, as one string to search for leaked text."""
    return json.dumps(value, ensure_ascii=False)


def expire_embargo(record_id: str) -> None:
    """Move a published record's embargo date into the past, as time would."""
    from invenio_db import db
    from invenio_rdm_records.records.api import RDMRecord

    record = RDMRecord.pid.resolve(record_id)
    record.access.embargo.until = datetime.now(timezone.utc) - timedelta(days=1)
    record.commit()
    db.session.commit()


def embargo_until() -> str:
    """An embargo date InvenioRDM accepts at publish (in the future)."""
    return (datetime.now(timezone.utc) + timedelta(days=30)).strftime("%Y-%m-%d")
