"""Keep the link row in step with the request, inside the action's transaction."""

from __future__ import annotations

from typing import Any

from invenio_db import db

from ..lifecycle.models import utcnow
from .gate import link_of
from .models import DOIRequestLink


def set_status(request: Any, status: str) -> DOIRequestLink | None:
    """Mirror a request's status on its link (the gate reads it in the same transaction)."""
    link = (
        db.session.query(DOIRequestLink)
        .filter(DOIRequestLink.request_id == request.id)
        .with_for_update()
        .one_or_none()
    )
    if link is not None:
        link.status = status
        link.updated = utcnow()
        db.session.flush()
    return link


def attach(record: Any, request_id: Any, status: str) -> DOIRequestLink:
    """Point a record version at a (new) request, creating its link on first use."""
    link = link_of(record.id)
    if link is None:
        link = DOIRequestLink(record_id=record.id, parent_id=record.parent.id, last_event_id=0)
        db.session.add(link)
    link.request_id = request_id
    link.status = status
    link.notified_findable = False
    db.session.flush()
    return link
