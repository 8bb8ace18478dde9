"""The record, draft or parent a DOI row points at, for permissions and links."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from invenio_rdm_records.records.api import RDMDraft, RDMParent, RDMRecord
from sqlalchemy.orm.exc import NoResultFound

from ..lifecycle.models import DOIKind, ManagedDOI


def owning_record(row: ManagedDOI) -> Any | None:
    """Something with a ``parent`` (owners, communities) for the row, or None.

    A version DOI points at a record or a draft; a concept DOI at a parent, which
    is wrapped so that the record generators find ``record.parent``.
    """
    if row.object_uuid is None:
        return None
    if row.kind == DOIKind.PARENT:
        try:
            return SimpleNamespace(parent=RDMParent.get_record(row.object_uuid))
        except NoResultFound:
            return None
    for cls in (RDMRecord, RDMDraft):
        try:
            return cls.get_record(row.object_uuid, with_deleted=True)
        except NoResultFound:
            continue
    return None
