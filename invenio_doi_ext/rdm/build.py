"""The worker's side of a published DOI's payload: read the record as committed, compute its target.

Registered with :mod:`invenio_doi_ext.lifecycle.builders` at start-up. The same
target functions as the request's (``rdm.targets``), here with the full payload:
the request only decided the state and the source.
"""

from __future__ import annotations

from invenio_rdm_records.records.api import RDMParent, RDMRecord

from ..lifecycle import builders
from ..lifecycle.models import DOIKind, ManagedDOI
from ..lifecycle.store import Target
from . import targets
from .objects import stored


def version_target(row: ManagedDOI) -> Target | None:
    """A version DOI's target from its published record (tombstones included)."""
    record = stored(RDMRecord, row.object_uuid)
    return targets.record_target(record, row.pid_value) if record is not None else None


def concept_target(row: ManagedDOI) -> Target | None:
    """A concept DOI's target from its parent and the published versions as committed."""
    parent = stored(RDMParent, row.object_uuid)
    return targets.concept_target(parent, row.pid_value) if parent is not None else None


def register() -> None:
    """Let workers build the payloads of version and concept DOIs."""
    builders.register(DOIKind.RECORD, version_target)
    builders.register(DOIKind.PARENT, concept_target)
