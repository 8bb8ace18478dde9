"""The operator digest: DOIs that failed permanently, the breaker opening and closing.

Operators should not have to run ``invenio doi list --failed`` to learn that
DataCite refused something. A Celery beat task (:func:`tick`, every
``DOI_EXT_SWEEP_INTERVAL``) reads what happened since the last look: the
``call`` events with outcome ``permanent`` (past a marker kept in
``doi_ext_digest_state``) and the breaker's row, and at most once per
``DOI_EXT_NOTIFY_INTERVAL`` hands one digest to invenio-notifications (e-mail
to the members of ``DOI_EXT_NOTIFY_ROLE``). The lifecycle's tables are only read.

What a digest says of a DOI: the DOI, DataCite's message (passwords masked;
withheld when the record's metadata is restricted now), a link to the record
and the fix (``invenio doi retry DOI``). Never a payload, never credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from invenio_db import db
from invenio_db.uow import UnitOfWork
from invenio_notifications.services.uow import NotificationOp

from .. import settings
from ..lifecycle.models import BREAKER_ROW_ID, CircuitBreaker, DOIEvent, ManagedDOI, utcnow
from ..lifecycle.states import status_label
from . import links
from .models import DigestState
from .notifications import DigestNotificationBuilder

SETTLE_SECONDS = 30.0
"""Events younger than this wait for the next tick: a transaction that wrote an
event with a lower id may not have committed yet, and would be skipped for good."""

MAX_LISTED = 50
"""Most DOIs a digest lists one by one; it counts the others."""

_STATE_ROW = 1


def _interval() -> timedelta:
    return settings.notify_interval()


def _state(lock: bool = True) -> DigestState:
    query = db.session.query(DigestState).filter(DigestState.id == _STATE_ROW)
    if lock:
        query = query.with_for_update()
    state = query.one_or_none()
    if state is None:
        state = DigestState(id=_STATE_ROW, last_event_id=0, breaker_open=False, pending=[])
        db.session.add(state)
        db.session.flush()
    return state


def observe_breaker(state: DigestState, now: datetime) -> list[dict[str, Any]]:
    """Breaker changes since the last look, appended to ``state.pending``.

    The breaker is *engaged* from a trip until a successful call (or ``invenio
    doi breaker reset``) clears ``paused_until``; a pause that lapses while
    DataCite still fails is the same outage, not a closing and a new opening.
    """
    row = db.session.get(CircuitBreaker, BREAKER_ROW_ID)
    engaged = row is not None and row.paused_until is not None
    pending = list(state.pending or [])
    if engaged and not state.breaker_open:
        pending.append(
            {
                "event": "opened",
                "at": (row.updated or now).isoformat(),
                "paused_until": row.paused_until.isoformat(),
                "reason": links.scrub(row.reason),
            }
        )
    elif not engaged and state.breaker_open:
        at = row.updated if row is not None and row.updated else now
        pending.append({"event": "closed", "at": at.isoformat()})
    state.breaker_open = engaged
    state.breaker_paused_until = row.paused_until if row is not None else None
    state.open_accounts = _observe_accounts(state, pending, now)
    state.pending = pending
    return pending


def _observe_accounts(state: DigestState, pending: list[dict[str, Any]], now: datetime) -> list[str]:
    """The other accounts' breakers: each opening and closing, named by its account."""
    was_open = set(state.open_accounts or [])
    engaged = []
    others = db.session.query(CircuitBreaker).filter(CircuitBreaker.id != BREAKER_ROW_ID)
    rows = others.order_by(CircuitBreaker.id)
    for row in rows:
        if row.paused_until is not None:
            engaged.append(row.account)
            if row.account not in was_open:
                pending.append(
                    {
                        "event": "opened",
                        "account": row.account,
                        "at": (row.updated or now).isoformat(),
                        "paused_until": row.paused_until.isoformat(),
                        "reason": links.scrub(row.reason),
                    }
                )
        elif row.account in was_open:
            at = row.updated or now
            pending.append({"event": "closed", "account": row.account, "at": at.isoformat()})
    return engaged


def _failure_events(after_id: int, cutoff: datetime) -> list[tuple[DOIEvent, ManagedDOI]]:
    return (
        db.session.query(DOIEvent, ManagedDOI)
        .join(ManagedDOI, ManagedDOI.id == DOIEvent.doi_id)
        .filter(
            DOIEvent.id > after_id,
            DOIEvent.created <= cutoff,
            DOIEvent.action == "call",
            DOIEvent.outcome == "permanent",
        )
        .order_by(DOIEvent.id)
        .all()
    )


def _last_settled_id(after_id: int, cutoff: datetime) -> int:
    newest = (
        db.session.query(db.func.max(DOIEvent.id))
        .filter(DOIEvent.id > after_id, DOIEvent.created <= cutoff)
        .scalar()
    )
    return int(newest) if newest is not None else after_id


def failures_since(after_id: int, cutoff: datetime) -> tuple[list[dict[str, Any]], int]:
    """(DOIs still failed after a permanent failure, how many failed and recovered since)."""
    latest: dict[int, tuple[DOIEvent, ManagedDOI]] = {}
    for event, row in _failure_events(after_id, cutoff):
        latest[row.id] = (event, row)
    items, recovered = [], 0
    for event, row in latest.values():
        if not row.failed:
            recovered += 1
            continue
        items.append(describe(event, row))
    return items, recovered


def describe(event: DOIEvent, row: ManagedDOI) -> dict[str, Any]:
    """One DOI of the digest: what DataCite said, where the record is, what to run."""
    record = links.owning_record(row)
    message = event.message or row.last_error or f"HTTP {event.http_status}"
    if links.is_restricted(record):
        message = "(withheld: the record's metadata is restricted; see invenio doi status)"
    return {
        "doi": row.pid_value,
        "kind": row.kind,
        "label": status_label(row),
        "http_status": event.http_status,
        "operation": event.operation,
        "at": event.created.isoformat(),
        "message": links.scrub(message),
        "link": links.record_link(row, record),
        "fix": f"invenio doi retry {row.pid_value}",
    }


def build(items: list[dict[str, Any]], breaker: list[dict[str, Any]], recovered: int, now: datetime) -> dict:
    """The digest's context: plain JSON, as it travels through Celery to the e-mail backend."""
    return {
        "site": current_app.config.get("THEME_SITENAME") or current_app.config.get("SITE_UI_URL") or "",
        "generated": now.isoformat(timespec="seconds"),
        "failures": items[:MAX_LISTED],
        "more_failures": max(len(items) - MAX_LISTED, 0),
        "total_failures": len(items),
        "recovered": recovered,
        "breaker": breaker,
        "list_command": "invenio doi list --failed",
    }


def is_empty(digest: Mapping[str, Any]) -> bool:
    """Nothing worth an e-mail."""
    return not digest["failures"] and not digest["breaker"]


def tick(now: datetime | None = None) -> str:
    """Look at what happened, and send a digest if one is due; returns what it did.

    ``disabled`` (switched off: the marker moves on, nothing is kept for later),
    ``waiting`` (a digest went out less than an interval ago), ``nothing``, ``sent``.
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=SETTLE_SECONDS)
    state = _state()
    breaker = observe_breaker(state, now)
    if not settings.notify_enabled():
        state.last_event_id = _last_settled_id(state.last_event_id, cutoff)
        state.pending = []
        db.session.commit()
        return "disabled"
    if state.last_sent_at is not None and now - state.last_sent_at < _interval():
        db.session.commit()
        return "waiting"
    settled = _last_settled_id(state.last_event_id, cutoff)
    items, recovered = failures_since(state.last_event_id, cutoff)
    digest = build(items, breaker, recovered, now)
    state.last_event_id = settled
    if is_empty(digest):
        db.session.commit()
        return "nothing"
    state.last_sent_at = now
    state.pending = []
    with UnitOfWork(db.session) as uow:
        uow.register(NotificationOp(DigestNotificationBuilder.build(digest)))
        uow.commit()
    return "sent"


def preview(now: datetime | None = None) -> dict[str, Any]:
    """The digest the next tick would send, ignoring the interval; reads only, sends nothing."""
    now = now or utcnow()
    state = db.session.get(DigestState, _STATE_ROW)
    after = state.last_event_id if state is not None else 0
    pending = list(state.pending or []) if state is not None else []
    scratch = DigestState(
        breaker_open=state.breaker_open if state else False,
        open_accounts=list(state.open_accounts or []) if state else [],
        pending=pending,
    )
    breaker = observe_breaker(scratch, now)
    items, recovered = failures_since(after, now)
    return build(items, breaker, recovered, now)
