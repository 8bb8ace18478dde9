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
from sqlalchemy.orm.exc import NoResultFound

from .. import settings
from ..lifecycle import store
from ..lifecycle.models import DOIKind, ManagedDOI
from ..lifecycle.store import get_row, lock_row, needs_work, normalize
from ..lifecycle.touched import take_touched
from ..rdm import sync, targets


class NotReservableError(Exception):
    """The DOI does not belong to a never-published draft, or reservation is switched off."""


__all__ = ("NotReservableError", "find_draft", "lock", "make_due", "needs_work", "reserve", "retry")

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
    if object_uuid is None:
        return None
    try:
        draft = RDMDraft.get_record(object_uuid)
    except NoResultFound:
        return None
    if draft.is_published or normalize(targets.managed_doi(draft) or "") != normalize(doi):
        return None
    return draft


def reserve(doi: str, reason: str) -> ManagedDOI:
    """Record that DataCite must hold the draft's DOI as a draft DOI (not yet sent)."""
    if not settings.reserve_on_draft():
        raise NotReservableError("DOI_EXT_RESERVE_ON_DRAFT is off: drafts are not reserved at DataCite")
    row = get_row(doi)
    draft = find_draft(doi, row)
    if draft is None:
        raise NotReservableError(f"{doi} is not the DOI of a draft that was never published")
    sync.sync_version(draft, reason, doi=targets.managed_doi(draft))
    # The caller converges the row itself; no second task from the commit hook.
    take_touched(db.session)
    return get_row(doi)
