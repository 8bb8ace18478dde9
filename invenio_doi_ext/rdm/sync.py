"""Record a record's DOI targets in the lifecycle, from any hook, any number of times."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier, PIDStatus

from ..lifecycle.models import DOIHold, DOIKind, DOIState
from ..lifecycle.store import Target, get_row, set_desired, set_hold
from . import targets


def current_actor() -> str:
    """Who caused the change, for the event history."""
    if has_request_context():
        identity = getattr(g, "identity", None)
        user_id = getattr(identity, "id", None)
        if user_id is not None:
            return f"user:{user_id}"
    return "system"


def sync_version(record: Any, reason: str, doi: str | None = None) -> None:
    """Refresh the version DOI of a draft (never published) or a published record."""
    doi = doi or targets.managed_doi(record)
    if doi is None:
        if getattr(record, "is_draft", False) and not record.is_published:
            withdraw_unused(record, reason)
        return
    if getattr(record, "is_draft", False):
        if record.is_published:
            return  # an edit of a published record reaches DataCite when published
        target = targets.draft_target(record, doi)
        hold = DOIHold.PENDING if target.state == DOIState.NONE else None
    else:
        target = targets.record_target(record, doi, deferred=True)
        hold = None
    set_desired(
        doi,
        target,
        kind=DOIKind.RECORD,
        object_uuid=record.id,
        actor=current_actor(),
        reason=reason,
        hold=hold,
    )


def sync_concept(parent: Any, current: Any, reason: str, doi: str | None = None) -> None:
    """Refresh the concept DOI of a parent, seen with ``current`` as it is in memory."""
    doi = doi or targets.managed_doi(parent)
    if doi is None:
        return
    target = targets.concept_target(parent, doi, current, deferred=True)
    set_desired(doi, target, kind=DOIKind.PARENT, object_uuid=parent.id, actor=current_actor(), reason=reason)


def withdraw_unused(draft: Any, reason: str) -> None:
    """A never-published draft that no longer shows the DOI minted for it: DataCite drops it.

    The deposit form's "Do you already have a DOI?" set to yes (an external DOI)
    or back to "no" without a DOI yet leaves the minted DOI locally NEW, on no
    record: kept at DataCite as a draft DOI, it would be an orphan. Withdrawn
    here; asking for a DOI again gives the same one back (upstream's provider
    finds the NEW PID of the same record) and the lifecycle reserves it again.
    """
    minted = (
        db.session.query(PersistentIdentifier.pid_value)
        .filter_by(pid_type="doi", object_uuid=draft.id, status=PIDStatus.NEW)
        .all()
    )
    for (pid_value,) in minted:
        row = get_row(pid_value)
        if row is not None and row.kind == DOIKind.RECORD and row.desired_state != DOIState.NONE:
            withdraw(pid_value, f"{reason}: the draft no longer uses this DOI")


def withdraw(pid_value: str, reason: str) -> None:
    """A draft DOI that will not be used: DataCite must not keep it (if it has it)."""
    row = get_row(pid_value)
    if row is None:
        return
    if row.remote_state == DOIState.NONE and row.desired_state == DOIState.NONE:
        set_hold(row, None)
        return
    set_desired(
        pid_value, Target(DOIState.NONE), kind=row.kind, actor=current_actor(), reason=reason, hold=None
    )
