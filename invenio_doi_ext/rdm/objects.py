"""The record, draft or parent a DOI row points at, for permissions and links."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from invenio_rdm_records.records.api import RDMDraft, RDMParent, RDMRecord
from sqlalchemy.orm.exc import NoResultFound

from ..lifecycle.models import DOIKind, ManagedDOI


def stored(cls: Any, object_uuid: Any, *, with_deleted: bool = True) -> Any | None:
    """The record, draft or parent ``object_uuid`` names (deleted ones too, unless told not), or None."""
    if object_uuid is None:
        return None
    try:
        return cls.get_record(object_uuid, with_deleted=with_deleted)
    except NoResultFound:
        return None


def owning_record(row: ManagedDOI) -> Any | None:
    """Something with a ``parent`` (owners, communities) for the row, or None.

    A version DOI points at a record or a draft; a concept DOI at a parent, which
    is wrapped so that the record generators find ``record.parent``.
    """
    if row.kind == DOIKind.PARENT:
        parent = stored(RDMParent, row.object_uuid, with_deleted=False)
        return SimpleNamespace(parent=parent) if parent is not None else None
    for cls in (RDMRecord, RDMDraft):
        found = stored(cls, row.object_uuid)
        if found is not None:
            return found
    return None
