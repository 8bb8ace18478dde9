"""Record what DataCite should hold, inside the caller's transaction.

This is the only write path of the request side: it never talks to DataCite.
Because the row keeps only the latest desired payload, a burst of edits is one
call, and a change that alters nothing is no call at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from flask import current_app
from invenio_db import db

from ..metadata.fingerprint import fingerprint
from .enqueue import touch
from .models import DOIEvent, DOIKind, DOIState, ManagedDOI, utcnow


@dataclass(frozen=True)
class Target:
    """What DataCite should hold for one DOI."""

    state: str
    payload: Mapping[str, Any] | None = None
    url: str | None = None


def normalize(doi: str) -> str:
    """The row key: DOIs are case-insensitive and DataCite answers in lower case."""
    return doi.strip().lower()


def get_row(doi: str, *, lock: bool = False) -> ManagedDOI | None:
    """The row of a DOI, optionally locked for the rest of the transaction."""
    query = db.session.query(ManagedDOI).filter(ManagedDOI.doi == normalize(doi))
    if lock:
        query = query.with_for_update()
    return query.one_or_none()


def coerce(state: str, remote_state: str) -> str:
    """DataCite never takes a registered or findable DOI back to draft or deletes it."""
    if remote_state in (DOIState.REGISTERED, DOIState.FINDABLE) and state in (
        DOIState.NONE,
        DOIState.DRAFT,
    ):
        return DOIState.REGISTERED
    return state


def set_desired(
    pid_value: str,
    target: Target,
    *,
    kind: str = DOIKind.RECORD,
    object_uuid: UUID | str | None = None,
    actor: str = "system",
    reason: str | None = None,
) -> ManagedDOI:
    """Make ``target`` the desired state of a DOI; schedule a send if it changed."""
    row = get_row(pid_value, lock=True)
    if row is None:
        row = ManagedDOI(
            doi=normalize(pid_value),
            pid_value=pid_value,
            kind=kind,
            remote_state=DOIState.NONE,
            desired_state=DOIState.NONE,
            in_sync=True,
            attempts=0,
            failed=False,
            next_attempt_at=utcnow(),
        )
        db.session.add(row)
    if object_uuid is not None:
        row.object_uuid = object_uuid
    row.kind = kind

    state = coerce(target.state, row.remote_state)
    payload = dict(target.payload) if target.payload is not None else None
    new_fingerprint = fingerprint(payload, target.url) if state != DOIState.NONE else None
    if row.id is not None and (state, new_fingerprint) == (row.desired_state, row.desired_fingerprint):
        return row

    was_waiting = not row.in_sync and not row.failed
    previous = row.desired_state
    row.desired_state = state
    row.desired_payload = payload
    row.desired_url = target.url
    row.desired_fingerprint = new_fingerprint
    row.desired_changed = utcnow()
    row.refresh_sync()
    if row.failed:
        # DataCite refused the previous payload; a new one deserves a new try.
        row.failed = False
        row.attempts = 0
    if not row.in_sync and not was_waiting:
        coalesce = float(current_app.config.get("DOI_EXT_COALESCE_SECONDS", 0) or 0)
        row.next_attempt_at = utcnow() + timedelta(seconds=coalesce)

    db.session.flush()
    db.session.add(
        DOIEvent(
            doi_id=row.id,
            actor=actor,
            action="desired",
            from_state=previous,
            to_state=state,
            message=reason,
        )
    )
    if not row.in_sync:
        delay = (row.next_attempt_at - utcnow()).total_seconds()
        touch(db.session, row.id, max(delay, 0.0))
    return row
