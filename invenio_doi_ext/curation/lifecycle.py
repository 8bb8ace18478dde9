"""Recompute what DataCite should hold after a curator's decision."""

from __future__ import annotations

from typing import Any

from invenio_access.permissions import system_identity

from ..lifecycle.models import DOIKind
from ..lifecycle.store import set_desired
from ..rdm import files, targets


def actor_of(identity: Any) -> str:
    """The lifecycle's actor name for an identity."""
    if identity is None or identity is system_identity or identity.id == "system":
        return "system"
    return f"user:{identity.id}"


def recompute(record: Any, identity: Any, reason: str) -> None:
    """The version, concept and file DOIs of ``record`` follow the gate's new answer."""
    actor = actor_of(identity)
    if files.needs_sync(record):
        files.sync_files(record, reason, mint=False)  # first: the record's payload lists them
    doi = targets.managed_doi(record)
    if doi is not None:
        target = targets.record_target(record, doi)
        set_desired(doi, target, kind=DOIKind.RECORD, object_uuid=record.id, actor=actor, reason=reason)
    parent = record.parent
    concept = targets.managed_doi(parent)
    if concept is not None:
        target = targets.concept_target(parent, concept, record)
        set_desired(concept, target, kind=DOIKind.PARENT, object_uuid=parent.id, actor=actor, reason=reason)
