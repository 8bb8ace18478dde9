"""The link between a record version and its current DOI request.

The request itself lives in invenio-requests' tables (JSON); this row mirrors its
status so that the DataCite gate in ``rdm.targets``, ``invenio doi list
--awaiting-approval`` and the REST status read it with one indexed query, and
keeps the watermark of lifecycle events already shown on the request's timeline.
"""

from __future__ import annotations

from invenio_db import db
from sqlalchemy_utils.types import UUIDType

from ..lifecycle.models import utcnow


class CurationStatus:
    """Status of a DOI request as the gate sees it."""

    CREATED = "created"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    #: A new publish opens a fresh request after these.
    CLOSED_UNACCEPTED = (DECLINED, CANCELLED)


class DOIRequestLink(db.Model):
    """One record version (its version DOI) and its current DOI request."""

    __tablename__ = "doi_ext_curation"

    id = db.Column(db.Integer, primary_key=True, autoincrement=True)
    record_id = db.Column(UUIDType, nullable=False, unique=True)
    """Id of the record version whose DOI is curated."""

    parent_id = db.Column(UUIDType, nullable=False, index=True)
    """Id of its parent: the concept DOI is findable once one version is accepted."""

    request_id = db.Column(UUIDType, nullable=False, unique=True)
    """The current request (an earlier declined or cancelled one keeps its own timeline)."""

    status = db.Column(db.String(32), nullable=False, default=CurationStatus.CREATED, index=True)
    last_event_id = db.Column(db.Integer, nullable=False, default=0)
    """Newest ``doi_ext_events`` id already shown on the request's timeline."""

    notified_findable = db.Column(db.Boolean, nullable=False, default=False)
    created = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
