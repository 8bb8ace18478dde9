"""Selecting managed DOIs: filters, DSpace state names in SQL, bounded batches.

Every bulk reader walks the table by primary key (keyset pagination), never by
OFFSET over the whole table and never with all rows in memory, so a million rows
cost the same memory as a thousand and an interrupted run can simply be rerun.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from sqlalchemy import and_, false, func, not_, or_
from sqlalchemy.orm import Query

from .. import settings
from ..lifecycle.models import STATES, DOIHold, DOIKind, DOIState, ManagedDOI, utcnow

M = ManagedDOI
_ACTIVE = (DOIState.REGISTERED, DOIState.FINDABLE)


#: The SQL twin of ``lifecycle.states.dspace_state``: one condition per DSpace name.
DSPACE_STATES = {
    "PENDING": and_(M.in_sync, M.desired_state == DOIState.NONE, M.hold == DOIHold.PENDING),
    "MINTED": and_(
        M.in_sync,
        M.desired_state == DOIState.NONE,
        or_(M.hold.is_(None), M.hold.notin_([DOIHold.PENDING, DOIHold.DELETED])),
    ),
    "DELETED": and_(M.in_sync, M.desired_state == DOIState.NONE, M.hold == DOIHold.DELETED),
    "IS_RESERVED": and_(M.in_sync, M.desired_state == DOIState.DRAFT),
    "IS_REGISTERED": and_(M.in_sync, M.desired_state.in_(_ACTIVE)),
    "TO_BE_DELETED": and_(not_(M.in_sync), M.desired_state == DOIState.NONE),
    "UPDATE_RESERVED": and_(
        not_(M.in_sync), M.desired_state == DOIState.DRAFT, M.remote_state == DOIState.DRAFT
    ),
    "TO_BE_RESERVED": and_(
        not_(M.in_sync), M.desired_state == DOIState.DRAFT, M.remote_state != DOIState.DRAFT
    ),
    "UPDATE_REGISTERED": and_(not_(M.in_sync), M.desired_state.in_(_ACTIVE), M.remote_state.in_(_ACTIVE)),
    "TO_BE_REGISTERED": and_(
        not_(M.in_sync),
        M.desired_state.in_(_ACTIVE),
        or_(M.remote_state == DOIState.DRAFT, and_(M.remote_state == DOIState.NONE, M.attempts == 0)),
    ),
    "UPDATE_BEFORE_REGISTRATION": and_(
        not_(M.in_sync), M.desired_state.in_(_ACTIVE), M.remote_state == DOIState.NONE, M.attempts > 0
    ),
}

#: Values ``--state`` / ``?state=`` accept: DataCite's states (the desired one) or DSpace names.
STATE_CHOICES = STATES + tuple(name.lower() for name in DSPACE_STATES)

#: Columns a listing needs; the JSON payload is never loaded for a list.
LIST_COLUMNS = (
    M.id,
    M.doi,
    M.kind,
    M.account,
    M.desired_state,
    M.remote_state,
    M.remote_fingerprint,
    M.hold,
    M.in_sync,
    M.failed,
    M.attempts,
    M.next_attempt_at,
    M.last_error,
    M.last_status,
    M.updated,
)

_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")

#: Longest ``since`` value read (an ISO date/time with offset and microseconds is 32).
SINCE_MAX_LENGTH = 64
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class FilterError(ValueError):
    """A filter value that cannot be understood; ``field`` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """An ISO date/datetime, or a relative age such as ``30m``, ``12h``, ``7d``, as naive UTC.

    A value that names no representable moment (an age reaching before the year 1,
    a date that leaves the years 1-9999 once in UTC) is refused like a malformed one,
    so the REST API answers 400 and the CLI exits 2 instead of a traceback.
    """
    shown = repr(value[:SINCE_MAX_LENGTH])
    text = value.strip()
    if len(text) > SINCE_MAX_LENGTH:
        raise FilterError("since", f"{shown}... is longer than {SINCE_MAX_LENGTH} characters")
    if not text.isprintable():
        raise FilterError("since", f"{shown} contains control characters")
    match = _RELATIVE.match(text.lower())
    if match:
        try:
            age = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
            return (now or utcnow()) - age
        except (OverflowError, ValueError):
            raise FilterError(
                "since", f"{shown} reaches back before the year 1: give a smaller age or an ISO date/time"
            ) from None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError("since", f"{shown} is neither an ISO date/time nor an age like 12h or 7d") from None
    if parsed.tzinfo is not None:
        # Stored timestamps are naive UTC (Invenio's convention).
        try:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise FilterError(
                "since", f"{shown} leaves the years 1 to 9999 once converted to UTC: give another date/time"
            ) from None
    return parsed


#: Values ``--kind`` / ``?kind=`` accept.
KIND_CHOICES = tuple(kind.value for kind in DOIKind)


def check_kind(kind: str | None) -> None:
    """Refuse a kind that is not one of :data:`KIND_CHOICES`, naming the field."""
    if kind is not None and kind not in KIND_CHOICES:
        raise FilterError("kind", f"unknown kind {str(kind)[:60]!r}; one of: {', '.join(KIND_CHOICES)}")


@dataclass(frozen=True)
class RowFilter:
    """What an operator or the admin list asks for; every field is optional."""

    state: str | None = None
    failed: bool | None = None
    out_of_sync: bool = False
    since: datetime | None = None
    awaiting_approval: bool = False
    """Only DOIs whose DOI request waits for a curator (curated DOI requests)."""
    account: str | None = None
    """Only DOIs of this DataCite account (``DOI_EXT_DATACITE_ACCOUNTS``; ``default``)."""
    kind: str | None = None
    """Only DOIs of this kind: ``record`` (a version), ``parent`` (a concept) or ``file``."""

    def __post_init__(self) -> None:
        if self.state is not None and self.state.lower() not in STATE_CHOICES:
            raise FilterError(
                "state", f"unknown state {self.state[:60]!r}; one of: {', '.join(STATE_CHOICES)}"
            )
        if self.account is not None and self.account not in settings.account_names():
            raise FilterError(
                "account",
                f"unknown account {self.account[:60]!r}; one of: {', '.join(settings.account_names())}",
            )
        check_kind(self.kind)

    def apply(self, query: Query) -> Query:
        """The query restricted to matching rows."""
        if self.state is not None:
            name = self.state.lower()
            if name in STATES:
                query = query.filter(M.desired_state == name)
            else:
                query = query.filter(DSPACE_STATES[name.upper()])
        if self.failed is not None:
            query = query.filter(M.failed.is_(self.failed))
        if self.account is not None:
            query = query.filter(M.account == self.account)
        if self.kind is not None:
            query = query.filter(M.kind == self.kind)
        if self.out_of_sync:
            query = query.filter(M.in_sync.is_(False))
        if self.since is not None:
            query = query.filter(M.updated >= self.since)
        if self.awaiting_approval:
            from ..curation.gate import awaiting_approval

            query = query.filter(M.kind == "record", awaiting_approval(M.object_uuid))
        return query


def list_query(row_filter: RowFilter) -> Query:
    """Matching rows as light column tuples, in id order."""
    return row_filter.apply(db.session.query(*LIST_COLUMNS)).order_by(M.id)


def stream(row_filter: RowFilter, chunk: int = 2000) -> Iterator[Any]:
    """Every matching row (columns only), fetched ``chunk`` at a time from a server cursor."""
    query = list_query(row_filter).execution_options(yield_per=chunk)
    yield from query


def batches(query: Query, size: int = 200) -> Iterator[list[ManagedDOI]]:
    """ORM rows of ``query`` in id order, ``size`` at a time (keyset: ``id > last``).

    The caller may commit between batches: the next batch is a fresh query that
    starts after the last id seen, so nothing is skipped or read twice.
    """
    last = 0
    while True:
        rows = query.filter(M.id > last).order_by(M.id).limit(size).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def rows_query(row_filter: RowFilter | None = None) -> Query:
    """ORM rows matching the filter (all rows when none)."""
    query = db.session.query(M)
    return row_filter.apply(query) if row_filter else query


def page(query: Query, number: int, size: int) -> tuple[int, list[Any]]:
    """(total, rows of page ``number``) for the REST list; pages are small, so OFFSET is fine."""
    total = query.order_by(None).count()
    rows = query.offset((number - 1) * size).limit(size).all()
    return total, rows


# -- drafts whose DOI is not reserved at DataCite -----------------------------------


def unreserved_rows_query(kind: str | None = None) -> Query:
    """Rows of draft DOIs that DataCite does not hold yet (desired draft, remote none); of a kind."""
    query = db.session.query(M).filter(M.desired_state == DOIState.DRAFT, M.remote_state == DOIState.NONE)
    return query.filter(M.kind == kind) if kind is not None else query


def rowless_draft_pids_query(kind: str | None = None) -> Query:
    """DataCite DOIs minted for never-published drafts that have no lifecycle row at all.

    Such PIDs (status NEW) predate the installation of this package, or their row
    was lost; a never-published draft's DOI is the only DOI with status NEW. Only
    records' DOIs have PIDs: for another ``kind`` the query finds nothing.
    """
    query = (
        db.session.query(PersistentIdentifier)
        .outerjoin(M, M.doi == func.lower(PersistentIdentifier.pid_value))
        .filter(
            PersistentIdentifier.pid_type == "doi",
            PersistentIdentifier.pid_provider == "datacite",
            PersistentIdentifier.status == PIDStatus.NEW,
            M.id.is_(None),
        )
    )
    return query if kind in (None, DOIKind.RECORD) else query.filter(false())


def pid_batches(query: Query, size: int = 200) -> Iterator[list[PersistentIdentifier]]:
    """PIDs of ``query`` in id order, ``size`` at a time (keyset, like :func:`batches`)."""
    last = 0
    while True:
        pids = (
            query.filter(PersistentIdentifier.id > last).order_by(PersistentIdentifier.id).limit(size).all()
        )
        if not pids:
            return
        yield pids
        last = pids[-1].id
