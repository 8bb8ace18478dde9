"""Tables of the lifecycle: one row per managed DOI, its events, the breaker.

A row says what DataCite should hold (``desired_*``) and what the last
successful call left there (``remote_*``); workers make the second equal the
first. ``in_sync`` is derived from those columns: read on an object it is
computed, and the column of the same name (which the sweep's "due and out of
sync" query needs for its index) is filled in by the model itself at flush, so no
caller can set it or forget it. Only ``lifecycle.store`` writes these tables.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from invenio_db import db
from sqlalchemy import Index, event
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy_utils.types import UUIDType

JSONType = db.JSON().with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def utcnow() -> datetime:
    """Naive UTC now: the convention of Invenio's own timestamp columns."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class StrEnum(str, enum.Enum):
    """An Enum whose members are their string values (``enum.StrEnum`` from Python 3.11).

    The columns hold plain strings; members compare, hash and format as those
    strings, so a value read from the database finds its member in a dict.
    """

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(str.__str__(self), spec)


class DOIState(StrEnum):
    """DataCite's states, plus ``none`` for "must not exist / does not exist"."""

    NONE = "none"
    DRAFT = "draft"
    REGISTERED = "registered"
    FINDABLE = "findable"


STATES: tuple[str, ...] = tuple(state.value for state in DOIState)
"""Every state name, for input checks."""


class DOIKind(StrEnum):
    """What the DOI identifies: one version, the concept (parent), or one file of a version."""

    RECORD = "record"
    PARENT = "parent"
    FILE = "file"


def derive_in_sync(
    desired_state: str, remote_state: str, desired_fingerprint: str | None, remote_fingerprint: str | None
) -> bool:
    """DataCite holds what it should: same state, and (unless none) the same payload."""
    return desired_state == remote_state and (
        desired_state == DOIState.NONE or desired_fingerprint == remote_fingerprint
    )


class ManagedDOI(db.Model):
    """One DOI that this instance manages at DataCite."""

    __tablename__ = "doi_ext_dois"
    __table_args__ = (
        Index("ix_doi_ext_dois_due", "in_sync", "failed", "next_attempt_at"),
        Index("ix_doi_ext_dois_object", "object_uuid", "kind"),
        Index("ix_doi_ext_dois_updated", "updated"),
        Index("ix_doi_ext_dois_account", "account"),
        Index("ix_doi_ext_dois_file", "file_id"),
    )

    id = db.Column(db.Integer, primary_key=True, autoincrement=True)
    doi = db.Column(db.String(255), nullable=False, unique=True)
    """The DOI in lower case (DOIs are case-insensitive; DataCite answers lower case)."""

    pid_value = db.Column(db.String(255), nullable=False)
    """The DOI as stored in ``pidstore_pid`` (kept when the PID row is deleted)."""

    kind = db.Column(db.String(16), nullable=False, default=DOIKind.RECORD)
    account = db.Column(db.String(64), nullable=False, default="default", server_default="default")
    """The DataCite account that writes this DOI (``DOI_EXT_DATACITE_ACCOUNTS``; a DOI never
    changes prefix, so it never changes account)."""

    object_uuid = db.Column(UUIDType, nullable=True)
    """Record (or draft) id for a version DOI and a file DOI, parent id for a concept DOI."""

    file_key = db.Column(db.Text, nullable=True)
    """A file DOI's file: its key (name) in the record it was minted for."""

    file_id = db.Column(UUIDType, nullable=True)
    """A file DOI's content: the id of the file instance (shared by the copies of a file
    that a new version imports unchanged, so the copy keeps the DOI)."""

    desired_state = db.Column(db.String(16), nullable=False, default=DOIState.NONE)
    desired_payload = db.Column(JSONType, nullable=True)
    desired_url = db.Column(db.String(2048), nullable=True)
    desired_fingerprint = db.Column(db.String(64), nullable=True)
    desired_changed = db.Column(db.DateTime, nullable=True)
    desired_source = db.Column(db.String(64), nullable=True)
    """Hash of the record content a published DOI's payload derives from. The request
    commits it with ``desired_state``; a worker builds ``desired_payload`` from that
    content (``None`` payload and fingerprint until then: out of sync). ``None`` for a
    payload the request computed itself (drafts, redacted metadata)."""

    remote_state = db.Column(db.String(16), nullable=False, default=DOIState.NONE)
    remote_fingerprint = db.Column(db.String(64), nullable=True)
    remote_url = db.Column(db.String(2048), nullable=True)
    remote_checked = db.Column(db.DateTime, nullable=True)

    in_sync_column = db.Column("in_sync", db.Boolean, nullable=False, default=True)
    """Stored copy of :attr:`in_sync` for the due-rows index; filled in at flush."""

    failed = db.Column(db.Boolean, nullable=False, default=False)
    last_error = db.Column(db.Text, nullable=True)
    last_status = db.Column(db.Integer, nullable=True)

    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    lease_until = db.Column(db.DateTime, nullable=True)
    """Set while a worker has a call in flight; an expired lease means the worker died."""

    claim_token = db.Column(db.String(32), nullable=True)
    """The claim whose call is in flight: only an outcome carrying it is applied."""

    queued_at = db.Column(db.DateTime, nullable=True)
    """When the row was last handed to the broker, so the sweep does not flood it."""

    hold = db.Column(db.String(16), nullable=True)
    """Why a DOI DataCite must not hold is kept: ``pending`` (a draft's DOI, not to be
    reserved yet) or ``set_aside`` (a filter excluded its draft; the record gets it back)."""

    created = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    version_id = db.Column(db.Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    @hybrid_property
    def in_sync(self) -> bool:
        """Derived from the desired and remote columns, never set."""
        return derive_in_sync(
            self.desired_state, self.remote_state, self.desired_fingerprint, self.remote_fingerprint
        )

    @in_sync.inplace.expression
    @classmethod
    def _in_sync_expression(cls):
        return cls.in_sync_column

    def __repr__(self) -> str:
        """Short form for logs."""
        return (
            f"<ManagedDOI {self.doi} desired={self.desired_state} "
            f"remote={self.remote_state} in_sync={self.in_sync} failed={self.failed}>"
        )


class DOIEvent(db.Model):
    """Append-only history: every transition and every call made for a DOI."""

    __tablename__ = "doi_ext_events"
    __table_args__ = (Index("ix_doi_ext_events_doi_created", "doi_id", "created"),)

    id = db.Column(db.Integer, primary_key=True, autoincrement=True)
    doi_id = db.Column(
        db.Integer, db.ForeignKey(ManagedDOI.id, ondelete="CASCADE"), nullable=False
    )
    created = db.Column(db.DateTime, nullable=False, default=utcnow)
    actor = db.Column(db.String(255), nullable=False)
    """Who or what acted: ``system``, ``user:<id>``, ``task:<name>``, ``cli``."""

    action = db.Column(db.String(32), nullable=False)
    """``desired`` (a record event changed what DataCite should hold), ``call``,
    ``operator`` (retry, sync, verify), ``breaker``."""

    operation = db.Column(db.String(32), nullable=True)
    from_state = db.Column(db.String(16), nullable=True)
    to_state = db.Column(db.String(16), nullable=True)
    http_status = db.Column(db.Integer, nullable=True)
    outcome = db.Column(db.String(16), nullable=True)
    message = db.Column(db.Text, nullable=True)

    doi = db.relationship(ManagedDOI, backref=db.backref("events", lazy="dynamic"))


@event.listens_for(ManagedDOI, "before_insert")
@event.listens_for(ManagedDOI, "before_update")
def _store_in_sync(mapper, connection, row: ManagedDOI) -> None:
    """Keep the indexed copy of ``in_sync`` equal to the derived value."""
    row.in_sync_column = row.in_sync


class CircuitBreaker(db.Model):
    """Pause of calls to DataCite of one account (401 or repeated 5xx).

    The ``default`` account's row (:data:`BREAKER_ROW_ID`) is made with the table
    (by the migration, or by ``create_all`` through the listener below), so that
    two first failures at once never race to insert it; another account's row is
    made the first time it is needed (``lifecycle.breaker``).
    """

    __tablename__ = "doi_ext_breaker"
    __table_args__ = (db.UniqueConstraint("account", name="uq_doi_ext_breaker_account"),)

    id = db.Column(db.Integer, primary_key=True)
    account = db.Column(db.String(64), nullable=False, default="default", server_default="default")
    consecutive_failures = db.Column(db.Integer, nullable=False, default=0)
    paused_until = db.Column(db.DateTime, nullable=True)
    reason = db.Column(db.Text, nullable=True)
    updated = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


BREAKER_ROW_ID = 1
"""The row of ``doi_ext_breaker`` of the ``default`` account."""


@event.listens_for(CircuitBreaker.__table__, "after_create")
def _seed_breaker(table, connection, **kw) -> None:
    connection.execute(
        table.insert().values(id=BREAKER_ROW_ID, account="default", consecutive_failures=0, updated=utcnow())
    )


class DOISyncJob(db.Model):
    """An asynchronous "converge this DOI now" request made through the REST API.

    Kept in the database, not in memory, because the Celery worker that runs it
    and the web process that answers ``GET /api/dois/jobs/<token>`` are not the
    same process; ``expires_at`` bounds how long the outcome stays readable.
    """

    __tablename__ = "doi_ext_sync_jobs"
    __table_args__ = (Index("ix_doi_ext_sync_jobs_expires", "expires_at"),)

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    FINISHED = (SUCCEEDED, FAILED)

    id = db.Column(db.Integer, primary_key=True, autoincrement=True)
    token = db.Column(db.String(64), nullable=False, unique=True)
    """Opaque, unguessable id used in the job URL."""

    doi_id = db.Column(
        db.Integer, db.ForeignKey(ManagedDOI.id, ondelete="CASCADE"), nullable=False
    )
    operation = db.Column(db.String(32), nullable=False, default="sync")
    """``sync`` or ``reserve``: what the caller asked for."""

    actor = db.Column(db.String(255), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=PENDING)
    result = db.Column(JSONType, nullable=True)
    """The outcome once finished: convergence step, states, error."""

    created = db.Column(db.DateTime, nullable=False, default=utcnow)
    started = db.Column(db.DateTime, nullable=True)
    finished = db.Column(db.DateTime, nullable=True)
    expires_at = db.Column(db.DateTime, nullable=False)

    doi = db.relationship(ManagedDOI)


class DOIHold(StrEnum):
    """Values of ``ManagedDOI.hold``: DSpace's PENDING and MINTED, kept on the row."""

    PENDING = "pending"
    """Minted for a draft that is not to be reserved at DataCite (yet): DSpace's PENDING."""

    SET_ASIDE = "set_aside"
    """Withdrawn because a filter excluded its draft; remembered for that record: MINTED."""

    DELETED = "deleted"
    """DataCite held it as a draft and deleted it at our request (a discarded draft): DELETED."""
