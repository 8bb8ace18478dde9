"""Tables of the monitoring: the digest's marker and the maintained summary of the metrics.

The lifecycle's tables are only read here. On PostgreSQL, triggers on
``doi_ext_dois`` and ``doi_ext_events`` append +1/-1 rows to the two count
tables whenever a DOI's state signature changes or a DataCite call is recorded;
the metrics add them up (a few hundred rows, compacted by the monitoring beat
task), so a scrape costs the same at ten million DOIs as at ten. Other
databases (SQLite for tests and demos) have no triggers: the metrics count the
table itself there. See :mod:`invenio_doi_ext.monitoring.summary`.
"""

from __future__ import annotations

from invenio_db import db
from sqlalchemy import DDL, Index, event, false, func

from ..lifecycle.models import DOIEvent, ManagedDOI, utcnow
from . import ddl

JSONType = db.JSON()


class DigestState(db.Model):
    """One row: what the operator digest has already told, and what waits to be told."""

    __tablename__ = "doi_ext_digest_state"

    id = db.Column(db.Integer, primary_key=True)
    last_event_id = db.Column(db.BigInteger, nullable=False, default=0)
    """Highest ``doi_ext_events.id`` already looked at (reported or not worth reporting)."""

    last_sent_at = db.Column(db.DateTime, nullable=True)
    """When the last digest was handed to invenio-notifications."""

    breaker_paused_until = db.Column(db.DateTime, nullable=True)
    """The breaker's ``paused_until`` as last seen: a new value means it opened again."""

    breaker_open = db.Column(db.Boolean, nullable=False, default=False)
    """Whether the breaker was open when last seen (its closing is then worth telling)."""

    pending = db.Column(JSONType, nullable=True)
    """Breaker openings and closings seen since the last digest, oldest first."""

    open_accounts = db.Column(JSONType, nullable=True)
    """Accounts other than ``default`` whose breaker was engaged when last seen."""

    updated = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class StateCount(db.Model):
    """+n/-n per DOI state signature; the sum per signature is the number of DOIs with it."""

    __tablename__ = "doi_ext_state_counts"

    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True, autoincrement=True)
    desired_state = db.Column(db.String(16), nullable=False)
    remote_state = db.Column(db.String(16), nullable=False)
    in_sync = db.Column(db.Boolean, nullable=False)
    failed = db.Column(db.Boolean, nullable=False)
    hold = db.Column(db.String(16), nullable=True)
    retried = db.Column(db.Boolean, nullable=False)
    """``attempts > 0``: DSpace's names tell a first try from a retry."""

    sent = db.Column(db.Boolean, nullable=False)
    """``remote_fingerprint IS NOT NULL``: DataCite once held a payload of it."""

    n = db.Column(db.BigInteger, nullable=False)


class CallCount(db.Model):
    """+n per recorded DataCite call, by outcome class, HTTP status class and rate limiting."""

    __tablename__ = "doi_ext_call_counts"

    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True, autoincrement=True)
    outcome = db.Column(db.String(16), nullable=True)
    status_class = db.Column(db.String(8), nullable=False)
    """``2xx`` ... ``5xx``, or ``none`` when DataCite did not answer (or nothing was sent)."""

    rate_limited = db.Column(db.String(16), nullable=True)
    """``local`` (no slot of our own limiter: nothing sent), ``datacite`` (a 429), or NULL."""

    n = db.Column(db.BigInteger, nullable=False)


OUT_OF_SYNC_SINCE = func.coalesce(ManagedDOI.desired_changed, ManagedDOI.created)
"""When a DOI went out of sync: its last desired change (adopted rows: their creation)."""

Index(
    "ix_doi_ext_dois_out_of_sync_since",
    OUT_OF_SYNC_SINCE,
    postgresql_where=ManagedDOI.in_sync == false(),
)
"""Partial index (out-of-sync rows only): the oldest one's age is one index probe."""

# The triggers need both lifecycle tables; create_all must make them first.
StateCount.__table__.add_is_dependent_on(ManagedDOI.__table__)
CallCount.__table__.add_is_dependent_on(DOIEvent.__table__)
CallCount.__table__.add_is_dependent_on(StateCount.__table__)

for statement in ddl.CREATE:
    event.listen(CallCount.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))
for statement in ddl.DROP:
    event.listen(CallCount.__table__, "before_drop", DDL(statement).execute_if(dialect="postgresql"))
