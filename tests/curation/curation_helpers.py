"""Helpers of the curation tests: the request of a record, its timeline, DataCite's journal."""

from __future__ import annotations

from typing import Any

from invenio_db import db
from invenio_requests.proxies import current_requests_service
from invenio_requests.records.models import RequestEventModel

from invenio_doi_ext.curation.gate import link_of


def request_of(record: Any) -> Any:
    """The current DOI request (record API object) of a published record (a service result)."""
    db.session.expire_all()
    link = link_of(getattr(record, "_record", record).id)
    assert link is not None, "no DOI request for this record"
    return current_requests_service.record_cls.get_record(link.request_id)


def timeline(request_id: Any) -> list[dict]:
    """The request's events, oldest first: type, who, event name and text."""
    db.session.expire_all()
    rows = (
        db.session.query(RequestEventModel)
        .filter(RequestEventModel.request_id == request_id)
        .order_by(RequestEventModel.created, RequestEventModel.id)
        .all()
    )
    out = []
    for row in rows:
        payload = (row.json or {}).get("payload", {})
        created_by = (row.json or {}).get("created_by", {})
        out.append(
            {
                "type": row.type,
                "by": created_by.get("user"),
                "event": payload.get("event"),
                "content": payload.get("content", ""),
            }
        )
    return out


def event_of(entry: dict) -> str | None:
    """The DataCite ``event`` a journal entry sent (publish, register, hide), if any."""
    body = entry.get("body") or {}
    return body.get("data", {}).get("attributes", {}).get("event") if isinstance(body, dict) else None


def publishes_of(journal: list[dict], doi: str) -> list[dict]:
    """PUTs of ``doi`` carrying ``event=publish`` (what makes a DOI findable)."""
    return [
        e
        for e in journal
        if e["method"] == "PUT" and e["path"].lower() == f"/dois/{doi.lower()}" and event_of(e) == "publish"
    ]
