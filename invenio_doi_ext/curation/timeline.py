"""DataCite outcomes of a curated DOI on its request's timeline.

The lifecycle's event table is the source: every call a worker made for the
version DOI is copied, in order, as a log event of the request, past a watermark
kept on the link row (so a run that dies half-way, or two runs at once, never
post an outcome twice or skip one). Runs after every convergence task and from
Celery beat, so a failure after acceptance is always shown.
"""

from __future__ import annotations

from html import escape

from invenio_access.permissions import system_identity
from invenio_db import db
from invenio_notifications.services.uow import NotificationOp
from invenio_records_resources.services.uow import UnitOfWork
from invenio_requests.customizations.event_types import LogEventType
from invenio_requests.proxies import current_events_service, current_requests_service

from ..lifecycle.models import DOIEvent, DOIKind, DOIState, ManagedDOI
from .models import CurationStatus, DOIRequestLink
from .notifications import FindableNotificationBuilder


def describe(event: DOIEvent, row: ManagedDOI) -> str:
    """One line a depositor and a curator understand."""
    status = f"HTTP {event.http_status}" if event.http_status else "no answer"
    message = f": {escape(event.message)}" if event.message else ""
    if event.outcome == "success":
        return f"DataCite: {event.operation} succeeded ({status}); the DOI is now {event.to_state}."
    if event.outcome == "permanent":
        return (
            f"DataCite refused {event.operation} ({status}){message}. "
            "Not retried until the record changes or an operator retries it."
        )
    when = row.next_attempt_at.strftime("%Y-%m-%d %H:%M UTC") if row.next_attempt_at else "soon"
    return (
        f"DataCite: {event.operation} failed ({status}){message}. "
        f"Retried automatically (next attempt {when})."
    )


def _links_for_row(row_id: int | None) -> list[int]:
    query = db.session.query(DOIRequestLink.id).join(
        ManagedDOI, (ManagedDOI.object_uuid == DOIRequestLink.record_id) & (ManagedDOI.kind == DOIKind.RECORD)
    )
    if row_id is not None:
        query = query.filter(ManagedDOI.id == row_id)
    else:
        newest = db.session.query(db.func.max(DOIEvent.id)).filter(DOIEvent.doi_id == ManagedDOI.id)
        query = query.filter(newest.scalar_subquery() > DOIRequestLink.last_event_id)
    return [link_id for (link_id,) in query.all()]


def _publish_link(link_id: int) -> int:
    """Copy the new outcomes of one link's DOI; returns how many were posted."""
    link = (
        db.session.query(DOIRequestLink)
        .filter(DOIRequestLink.id == link_id)
        .with_for_update(skip_locked=True)
        .one_or_none()
    )
    row = None
    if link is not None:
        row = (
            db.session.query(ManagedDOI)
            .filter(ManagedDOI.object_uuid == link.record_id, ManagedDOI.kind == DOIKind.RECORD)
            .one_or_none()
        )
    if link is None or row is None:
        db.session.commit()
        return 0
    events = (
        row.events.filter(DOIEvent.id > link.last_event_id, DOIEvent.action == "call")
        .order_by(DOIEvent.id)
        .all()
    )
    newest = row.events.order_by(DOIEvent.id.desc()).first()
    posted = 0
    with UnitOfWork(db.session) as uow:
        for event in events:
            data = {"payload": {"event": "datacite", "content": describe(event, row)}}
            current_events_service.create(system_identity, link.request_id, data, LogEventType, uow=uow)
            posted += 1
            findable = event.outcome == "success" and event.to_state == DOIState.FINDABLE
            if findable and link.status == CurationStatus.ACCEPTED and not link.notified_findable:
                request = current_requests_service.record_cls.get_record(link.request_id)
                notification = FindableNotificationBuilder.build(system_identity, request, doi=row.pid_value)
                uow.register(NotificationOp(notification))
                link.notified_findable = True
        if newest is not None:
            link.last_event_id = max(link.last_event_id, newest.id)
        uow.commit()
    return posted


def publish_outcomes(row_id: int | None = None) -> int:
    """Post new DataCite outcomes of one DOI row (or of every curated DOI behind)."""
    return sum(_publish_link(link_id) for link_id in _links_for_row(row_id))
