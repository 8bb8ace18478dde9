"""What operators do to a managed DOI: retry, make due, reserve a draft's DOI.

Each function changes rows in the caller's transaction and appends an
``operator`` event, so the history says who asked for what; the caller commits
and then hands the row to a worker (or converges it in-process).
"""

from __future__ import annotations

from typing import Any

from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier
from invenio_rdm_records.records.api import RDMDraft
from sqlalchemy import func

from .. import settings
from ..lifecycle import store
from ..lifecycle.models import DOIKind, DOIState, ManagedDOI
from ..lifecycle.store import get_row, lock_row, needs_work, normalize
from ..lifecycle.touched import take_touched
from ..rdm import files, sync, targets
from ..rdm.objects import stored


class NotReservableError(Exception):
    """The DOI does not belong to a never-published draft, or reservation is switched off."""


__all__ = (
    "NotReservableError",
    "file_draft",
    "find_draft",
    "lock",
    "make_due",
    "needs_work",
    "refresh_draft_doi",
    "reserve",
    "retry",
)

lock = lock_row


def retry(row: ManagedDOI, actor: str, message: str | None = None) -> bool:
    """Clear a failure and make the row due now; False when there is nothing to retry."""
    return store.operator_retry(row, actor, "retry", message)


def make_due(row: ManagedDOI, actor: str, operation: str = "sync") -> bool:
    """Make an out-of-sync (or failed) row due now, skipping its back-off."""
    return store.operator_retry(row, actor, operation)


# -- reserving the DOI of a draft -------------------------------------------------------


def find_draft(doi: str, row: ManagedDOI | None = None) -> Any | None:
    """The never-published draft that carries ``doi``, or None."""
    object_uuid = row.object_uuid if row is not None and row.kind == DOIKind.RECORD else None
    if object_uuid is None:
        pid = (
            db.session.query(PersistentIdentifier)
            .filter(
                PersistentIdentifier.pid_type == "doi",
                func.lower(PersistentIdentifier.pid_value) == normalize(doi),
            )
            .one_or_none()
        )
        object_uuid = pid.object_uuid if pid is not None else None
    draft = stored(RDMDraft, object_uuid, with_deleted=False)
    if draft is None or draft.is_published or normalize(targets.managed_doi(draft) or "") != normalize(doi):
        return None
    return draft


def file_draft(row: ManagedDOI | None) -> Any | None:
    """The draft a file DOI's file was added to, while that file's DOI was never published."""
    if row is None or row.kind != DOIKind.FILE or row.object_uuid is None:
        return None
    if row.desired_state in (DOIState.REGISTERED, DOIState.FINDABLE):
        return None
    return stored(RDMDraft, row.object_uuid, with_deleted=False)


def refresh_draft_doi(doi: str, row: ManagedDOI | None, reason: str) -> bool:
    """Recompute the desired state of a draft's DOI (a record's or a file's); False if no draft has it."""
    if row is not None and row.kind == DOIKind.FILE:
        draft = file_draft(row)
        if draft is None:
            return False
        files.sync_files(draft, reason, mint=False)
        return True
    draft = find_draft(doi, row)
    if draft is None:
        return False
    sync.sync_version(draft, reason, doi=doi if row is None else row.pid_value)
    return True


def reserve(doi: str, reason: str) -> ManagedDOI:
    """Record that DataCite must hold the draft's DOI as a draft DOI (not yet sent)."""
    if not settings.reserve_on_draft():
        raise NotReservableError("DOI_EXT_RESERVE_ON_DRAFT is off: drafts are not reserved at DataCite")
    row = get_row(doi)
    if row is not None and row.kind == DOIKind.FILE:
        if not refresh_draft_doi(doi, row, reason):
            raise NotReservableError(f"{doi} is not the DOI of a file of a draft that was never published")
        take_touched(db.session)
        return get_row(doi)
    draft = find_draft(doi, row)
    if draft is None:
        raise NotReservableError(f"{doi} is not the DOI of a draft that was never published")
    sync.sync_version(draft, reason, doi=targets.managed_doi(draft))
    # The caller converges the row itself; no second task from the commit hook.
    take_touched(db.session)
    return get_row(doi)
