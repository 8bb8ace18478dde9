"""The curation gate read by ``rdm.targets``: is this version's DOI held at ``draft``?

Held means: curation applies to the record and its DOI request is not accepted.
A record without a request whose DOI DataCite already registered (published
before curation was switched on) is not held: turning curation on never hides
DOIs that are already public.
"""

from __future__ import annotations

from typing import Any

from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier, PIDStatus

from .models import CurationStatus, DOIRequestLink
from .policy import curation_enabled, curation_required


def link_of(record_id: Any) -> DOIRequestLink | None:
    """The link row of a record version, if it ever had a DOI request."""
    if record_id is None:
        return None
    return db.session.query(DOIRequestLink).filter(DOIRequestLink.record_id == record_id).one_or_none()


def _registered_before(record: Any) -> bool:
    doi = ((record.get("pids") or {}).get("doi") or {}).get("identifier")
    if not doi:
        return False
    pid = PersistentIdentifier.query.filter_by(pid_type="doi", pid_value=doi).one_or_none()
    return pid is not None and pid.status == PIDStatus.REGISTERED


def held(record: Any) -> bool:
    """True while the record's DOI must stay a DataCite draft (not yet accepted)."""
    if record is None or not curation_enabled() or not curation_required(record):
        return False
    link = link_of(getattr(record, "id", None))
    if link is None:
        return not _registered_before(record)
    return link.status != CurationStatus.ACCEPTED


def awaiting_approval(record_uuid_column: Any) -> Any:
    """SQL condition: the DOI's record has a submitted DOI request (for ``doi list --awaiting-approval``)."""
    submitted = db.session.query(DOIRequestLink.record_id).filter(
        DOIRequestLink.status == CurationStatus.SUBMITTED
    )
    return record_uuid_column.in_(submitted.scalar_subquery())
