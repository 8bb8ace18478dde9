"""Rows and their events: reading, the request side's ``set_desired``, ``hold``, notes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from flask import current_app
from invenio_db import db

from ... import settings
from ...metadata.fingerprint import fingerprint
from ..models import DOIEvent, DOIHold, DOIKind, DOIState, ManagedDOI, utcnow
from ..plan import coerce
from ..touched import touch
from .timing import coalesce_seconds


class TransitionError(RuntimeError):
    """A transition found the row in a state it does not start from."""


@dataclass(frozen=True)
class Target:
    """What DataCite should hold for one DOI."""

    state: str
    payload: Mapping[str, Any] | None = None
    url: str | None = None
    source: str | None = None
    """Set instead of ``payload`` when a worker builds the payload: the hash of the
    record content it derives from (``metadata.payload.record_source``)."""




def normalize(doi: str) -> str:
    """The row key: DOIs are case-insensitive and DataCite answers in lower case."""
    return doi.strip().lower()


_NEW_ROWS = "doi_ext_new_rows"


def _new_rows() -> dict[str, ManagedDOI]:
    """Rows this transaction created and has not flushed yet, by DOI."""
    return db.session.info.setdefault(_NEW_ROWS, {})


def get_row(doi: str, *, lock: bool = False) -> ManagedDOI | None:
    """The row of a DOI, optionally locked for the rest of the transaction.

    Without autoflush: a record's pending changes are flushed once at commit
    instead of at every DOI of the request. A row this transaction created is
    found among the session's pending rows, so it is never created twice.
    """
    pending = _new_rows().pop(normalize(doi), None)
    if pending is not None and pending in db.session.new:
        _new_rows()[pending.doi] = pending
        return pending
    query = db.session.query(ManagedDOI).filter(ManagedDOI.doi == normalize(doi))
    if lock:
        query = query.with_for_update()
    with db.session.no_autoflush:
        return query.one_or_none()


def any_row_once(cache_key: str, *criteria: Any) -> bool:
    """Whether any row matches ``criteria``, asked once per application (process).

    For a fact the running process cannot turn from "no" to "yes" (no feature or
    filter configured that could make such a row): the answer is kept under
    ``cache_key`` in the application's extensions, so later requests ask nothing.
    """
    seen = current_app.extensions.get(cache_key)
    if seen is None:
        with db.session.no_autoflush:
            seen = db.session.query(ManagedDOI.id).filter(*criteria).first() is not None
        current_app.extensions[cache_key] = seen
    return seen


def lock_row(row_id: int) -> ManagedDOI | None:
    """The row, locked for the rest of the transaction (workers hold it only briefly)."""
    return db.session.query(ManagedDOI).filter(ManagedDOI.id == row_id).with_for_update().one_or_none()


def needs_work(row: ManagedDOI) -> bool:
    """Whether converging the row could change anything at DataCite."""
    return row.failed or not row.in_sync




def append_event(row: ManagedDOI, actor: str, action: str, **fields: Any) -> DOIEvent:
    # Through the relationship: a row created in this transaction gets its id at the flush.
    event = DOIEvent(doi=row, actor=actor, action=action, **fields)
    db.session.add(event)
    return event


def note(row: ManagedDOI, actor: str, operation: str, message: str | None = None) -> DOIEvent:
    """An operator's act that changes no column (verify found drift, assign...), for the history."""
    return append_event(
        row,
        actor,
        "operator",
        operation=operation,
        from_state=row.remote_state,
        to_state=row.desired_state,
        message=message,
    )



_KEEP = object()


def _desired_payload(
    row: ManagedDOI, state: str, target: Target
) -> tuple[dict | None, str | None, str | None]:
    """(payload, fingerprint, source) of ``target`` for ``row``.

    A target with a ``source`` leaves the payload to a worker (``None`` until it is
    built), unless the row already holds the payload built from that very source
    for the same URL: a tombstone or a restore changes the state, not what is
    serialized, so the built payload is kept and nothing is built again.
    """
    if state == DOIState.NONE:
        return (dict(target.payload) if target.payload is not None else None), None, None
    if target.source is None:
        payload = dict(target.payload) if target.payload is not None else None
        return payload, fingerprint(payload, target.url), None
    if (
        row.desired_source == target.source
        and row.desired_fingerprint is not None
        and row.desired_url == target.url
    ):
        return row.desired_payload, row.desired_fingerprint, target.source
    return None, None, target.source


def set_desired(
    pid_value: str,
    target: Target,
    *,
    kind: str = DOIKind.RECORD,
    object_uuid: UUID | str | None = None,
    actor: str = "system",
    reason: str | None = None,
    hold: DOIHold | None | object = _KEEP,
    operation: str | None = None,
    account: str | None = None,
    file_key: str | None = None,
    file_id: UUID | str | None = None,
) -> ManagedDOI:
    """Make ``target`` what DataCite should hold, in the caller's transaction.

    A file DOI's row (``kind="file"``) is given its file's ``file_key`` and ``file_id``
    (kept when not given). A new row gets ``account`` (by default the account whose prefixes hold the DOI);
    an existing row keeps its account, since a DOI never changes prefix.

    From any state. A new payload clears a failure (DataCite refused the previous
    one); a row that was already waiting keeps its place, so a burst of edits is one
    call; a change that alters nothing writes nothing but ``hold`` (and, when
    ``hold`` changed and ``operation`` names why, an event saying so).
    """
    row = get_row(pid_value, lock=True)
    if row is None:
        row = ManagedDOI(
            doi=normalize(pid_value),
            pid_value=pid_value,
            kind=kind,
            account=account or settings.account_for_doi(pid_value),
            remote_state=DOIState.NONE,
            desired_state=DOIState.NONE,
            attempts=0,
            failed=False,
            next_attempt_at=utcnow(),
        )
        db.session.add(row)
        _new_rows()[row.doi] = row
    if object_uuid is not None:
        row.object_uuid = object_uuid
    if file_key is not None:
        row.file_key = file_key
    if file_id is not None:
        row.file_id = file_id
    row.kind = kind
    hold_changed = hold is not _KEEP and row.hold != hold
    if hold_changed:
        row.hold = hold

    state = coerce(target.state, row.remote_state)
    if state != DOIState.NONE and row.hold == DOIHold.DELETED:
        row.hold = None  # wanted at DataCite again
    payload, new_fingerprint, source = _desired_payload(row, state, target)
    if row not in db.session.new and (state, new_fingerprint, source) == (
        row.desired_state,
        row.desired_fingerprint,
        row.desired_source,
    ):
        if operation is not None and hold_changed:
            append_event(
                row, actor, "desired", operation=operation, from_state=state, to_state=state, message=reason
            )
        return row

    was_waiting = not row.in_sync and not row.failed
    previous = row.desired_state
    row.desired_state = state
    row.desired_payload = payload
    row.desired_url = target.url
    row.desired_fingerprint = new_fingerprint
    row.desired_source = source
    row.desired_changed = utcnow()
    if row.failed:
        row.failed = False
        row.attempts = 0
    if not row.in_sync and not was_waiting:
        row.next_attempt_at = utcnow() + timedelta(seconds=coalesce_seconds())

    append_event(
        row, actor, "desired", operation=operation, from_state=previous, to_state=state, message=reason
    )
    if not row.in_sync:
        delay = (row.next_attempt_at - utcnow()).total_seconds()
        touch(db.session, row, max(delay, 0.0))
    return row


def set_hold(row: ManagedDOI, hold: DOIHold | None) -> None:
    """Why a DOI DataCite must not hold is kept (pending, set aside), or that it no longer is."""
    row.hold = hold
