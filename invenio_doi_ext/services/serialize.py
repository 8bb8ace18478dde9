"""One JSON shape of a managed DOI, used by the REST API and ``invenio doi status/list``.

Operators reading the CLI and clients reading the API see the same field names,
so a script written against one works against the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import current_app

from ..curation.status import request_status
from ..lifecycle.models import DOIEvent, ManagedDOI
from ..lifecycle.states import dspace_state, status_label

#: Most events shown with a DOI (newest kept); the table keeps them all.
HISTORY_LIMIT = 100


def iso(value: datetime | None) -> str | None:
    """Naive-UTC timestamps as ISO 8601 (``None`` stays ``None``)."""
    return value.isoformat() if value is not None else None


def api_url(path: str) -> str:
    """An absolute URL of this API (``SITE_API_URL`` + path), as Invenio's links are."""
    base = (current_app.config.get("SITE_API_URL") or "").rstrip("/")
    return f"{base}{path}"


def doi_links(doi: str) -> dict[str, str]:
    """The links of a DOI resource."""
    path = "/dois/" + quote(doi, safe="/")
    return {
        "self": api_url(path),
        "reserve": api_url(path + "/reserve"),
        "sync": api_url(path + "/sync"),
        "doi": f"https://doi.org/{doi}",
    }


def summary(row: Any) -> dict[str, Any]:
    """The list form: a full row or the light column tuple of ``queries.list_query``."""
    return {
        "doi": row.doi,
        "kind": row.kind,
        "account": row.account,
        "label": status_label(row),
        "dspace_state": dspace_state(row),
        "desired_state": row.desired_state,
        "remote_state": row.remote_state,
        "in_sync": row.in_sync,
        "failed": row.failed,
        "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at),
        "last_error": row.last_error,
        "last_status": row.last_status,
        "updated": iso(row.updated),
    }


def event(item: DOIEvent) -> dict[str, Any]:
    """One history entry."""
    return {
        "created": iso(item.created),
        "actor": item.actor,
        "action": item.action,
        "operation": item.operation,
        "from_state": item.from_state,
        "to_state": item.to_state,
        "http_status": item.http_status,
        "outcome": item.outcome,
        "message": item.message,
    }


def history(row: ManagedDOI, limit: int | None = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """Events of a DOI, oldest first (the newest ``limit`` when limited)."""
    query = row.events.order_by(DOIEvent.created.desc(), DOIEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [event(item) for item in reversed(query.all())]


def detail(row: ManagedDOI, history_limit: int | None = HISTORY_LIMIT) -> dict[str, Any]:
    """Everything about one DOI: both sides, the derived names, the attempt, the history."""
    data = summary(row)
    data.update(
        {
            "id": row.id,
            "pid_value": row.pid_value,
            "object_uuid": str(row.object_uuid) if row.object_uuid else None,
            "file_key": row.file_key,
            "desired": {
                "state": row.desired_state,
                "url": row.desired_url,
                "fingerprint": row.desired_fingerprint,
                "changed": iso(row.desired_changed),
                "metadata": row.desired_payload,
            },
            "remote": {
                "state": row.remote_state,
                "url": row.remote_url,
                "fingerprint": row.remote_fingerprint,
                "checked": iso(row.remote_checked),
            },
            "lease_until": iso(row.lease_until),
            "queued_at": iso(row.queued_at),
            "created": iso(row.created),
            "history": history(row, history_limit),
            "links": doi_links(row.doi),
        }
    )
    data["request"] = request_status(row)
    return data
