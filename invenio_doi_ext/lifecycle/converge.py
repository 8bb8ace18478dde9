"""The convergence step: one due row, the smallest DataCite call, its outcome recorded.

No database lock is held during the HTTP call: the row is claimed with a lease
in a short transaction (``FOR UPDATE SKIP LOCKED``, so concurrent workers never
take the same row), the call is made, and the outcome is written in a second
short transaction. A web request changing the record meanwhile is never blocked
by DataCite's latency, and its new payload is sent right after.
"""

from __future__ import annotations

import enum
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier, PIDStatus

from ..datacite.outcome import LOCAL_RATE_LIMIT, Outcome, OutcomeKind
from . import breaker
from .client import current_gateway
from .desired import coerce
from .models import DOIEvent, DOIState, ManagedDOI, utcnow

log = logging.getLogger(__name__)


class Step(str, enum.Enum):
    """What one convergence attempt did."""

    SENT = "sent"
    SKIPPED = "skipped"  # not due, in sync, failed, leased by another worker, or gone
    IN_SYNC = "in_sync"  # nothing to send
    PAUSED = "paused"  # the instance-wide breaker is open


# (desired, remote) -> operation; None means nothing to send for the state.
_STATE_CHANGE = {
    (DOIState.NONE, DOIState.DRAFT): "delete_draft",
    (DOIState.DRAFT, DOIState.NONE): "reserve",
    (DOIState.REGISTERED, DOIState.NONE): "register",
    (DOIState.REGISTERED, DOIState.DRAFT): "register",
    (DOIState.REGISTERED, DOIState.FINDABLE): "hide",
    (DOIState.FINDABLE, DOIState.NONE): "publish",
    (DOIState.FINDABLE, DOIState.DRAFT): "publish",
    (DOIState.FINDABLE, DOIState.REGISTERED): "publish",
}

_EXPECTED_STATE = {
    "reserve": DOIState.DRAFT,
    "register": DOIState.REGISTERED,
    "hide": DOIState.REGISTERED,
    "publish": DOIState.FINDABLE,
}


def plan(desired: str, remote: str, desired_fp: str | None, remote_fp: str | None) -> str | None:
    """The smallest call that makes DataCite hold the desired state and payload."""
    if desired == remote:
        if desired == DOIState.NONE or desired_fp == remote_fp:
            return None
        return "update"
    return _STATE_CHANGE.get((desired, remote))


@dataclass(frozen=True)
class Claim:
    """What a worker read from the row when it took it; the call sends exactly this."""

    row_id: int
    doi: str
    operation: str
    desired_state: str
    payload: dict[str, Any] | None
    url: str | None
    fingerprint: str | None
    remote_state: str


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Exponential back-off with jitter, capped; DataCite's Retry-After wins if longer."""
    base, cap = current_app.config.get("DOI_EXT_BACKOFF", (30.0, 3600.0))
    ceiling = min(float(cap), float(base) * (2 ** max(attempts - 1, 0)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return delay


def _lease_seconds() -> float:
    """How long a claimed row stays with its worker: a worker killed mid-call delays it this long."""
    configured = current_app.config.get("DOI_EXT_LEASE_SECONDS")
    if configured:
        return float(configured)
    connect, read = current_app.config.get("DOI_EXT_HTTP_TIMEOUT", (5.0, 30.0))
    # The call itself, plus up to a minute waiting for a shared rate-limit slot.
    return 2 * (float(connect) + float(read)) + 60.0


def _is_due(row: ManagedDOI, now: datetime) -> bool:
    return (
        not row.in_sync
        and not row.failed
        and row.next_attempt_at <= now
        and (row.lease_until is None or row.lease_until <= now)
    )


def claim(row_id: int, *, force: bool = False) -> tuple[Step, Claim | None]:
    """Take a due row under a lease, in its own short transaction."""
    now = utcnow()
    row = (
        db.session.query(ManagedDOI)
        .filter(ManagedDOI.id == row_id)
        .with_for_update(skip_locked=True)
        .one_or_none()
    )
    if row is None or row.failed or (not force and not _is_due(row, now)):
        db.session.commit()
        return Step.SKIPPED, None
    if row.lease_until is not None and row.lease_until > now:
        db.session.commit()
        return Step.SKIPPED, None
    coerced = coerce(row.desired_state, row.remote_state)
    if coerced != row.desired_state:
        # DataCite holds it registered or findable (e.g. found by verify): it can only be hidden.
        row.desired_state = coerced
        row.refresh_sync()
    operation = plan(row.desired_state, row.remote_state, row.desired_fingerprint, row.remote_fingerprint)
    if operation is None:
        row.refresh_sync()
        db.session.commit()
        return (Step.IN_SYNC if row.in_sync else Step.SKIPPED), None
    row.lease_until = now + timedelta(seconds=_lease_seconds())
    taken = Claim(
        row_id=row.id,
        doi=row.pid_value,
        operation=operation,
        desired_state=row.desired_state,
        payload=row.desired_payload,
        url=row.desired_url,
        fingerprint=row.desired_fingerprint,
        remote_state=row.remote_state,
    )
    db.session.commit()
    return Step.SENT, taken


def call(taken: Claim) -> Outcome:
    """Send the claimed change to DataCite through the gateway."""
    gateway = current_gateway()
    if taken.operation == "delete_draft":
        return gateway.delete_draft(taken.doi)
    method = getattr(gateway, taken.operation)
    return method(taken.doi, metadata=taken.payload, url=taken.url)


def _mark_pid_registered(pid_value: str) -> None:
    """The local PID says REGISTERED only once DataCite has confirmed it."""
    pid = PersistentIdentifier.query.filter_by(pid_type="doi", pid_value=pid_value).one_or_none()
    if pid is not None and pid.status in (PIDStatus.NEW, PIDStatus.RESERVED):
        pid.status = PIDStatus.REGISTERED


def record(taken: Claim, outcome: Outcome, actor: str) -> ManagedDOI:
    """Write the outcome of a call onto the row and the event table."""
    now = utcnow()
    row = db.session.query(ManagedDOI).filter(ManagedDOI.id == taken.row_id).with_for_update().one()
    row.lease_until = None
    row.last_status = outcome.status
    remote_before = row.remote_state
    message = outcome.message or None

    if outcome.kind == OutcomeKind.SUCCESS:
        _record_success(row, taken, outcome)
        message = message or (row.last_error if row.failed else None)
    elif outcome.message == LOCAL_RATE_LIMIT:
        # Nothing was sent: our own limiter had no slot. Not a failure of the row.
        row.next_attempt_at = now + timedelta(seconds=random.uniform(5.0, 30.0))
    elif outcome.kind == OutcomeKind.PERMANENT:
        row.failed = True
        row.last_error = outcome.message or f"HTTP {outcome.status}"
    else:
        row.attempts += 1
        row.last_error = outcome.message or "DataCite did not answer"
        if outcome.kind == OutcomeKind.CREDENTIALS:
            resume = breaker.trip(f"DataCite refused the credentials: {row.last_error}")
        else:
            resume = breaker.record_failure(row.last_error) if _is_outage(outcome) else None
        delay_until = now + timedelta(seconds=backoff_delay(row.attempts, outcome.retry_after))
        row.next_attempt_at = max(delay_until, resume) if resume else delay_until
    if outcome.kind == OutcomeKind.SUCCESS:
        breaker.record_success()

    row.refresh_sync()
    db.session.add(
        DOIEvent(
            doi_id=row.id,
            actor=actor,
            action="call",
            operation=taken.operation,
            from_state=remote_before,
            to_state=row.remote_state,
            http_status=outcome.status,
            outcome=outcome.kind.value,
            message=message,
        )
    )
    db.session.commit()
    return row


def _is_outage(outcome: Outcome) -> bool:
    return outcome.status is None or outcome.status >= 500


def _record_success(row: ManagedDOI, taken: Claim, outcome: Outcome) -> None:
    row.attempts = 0
    row.failed = False
    row.last_error = None
    row.remote_checked = utcnow()
    if taken.operation == "delete_draft":
        row.remote_state = DOIState.NONE
        row.remote_fingerprint = None
        row.remote_url = None
        return
    expected = _EXPECTED_STATE.get(taken.operation, taken.remote_state)
    reported = outcome.state or expected
    row.remote_state = reported
    row.remote_fingerprint = taken.fingerprint
    row.remote_url = taken.url
    if reported != expected:
        # DataCite ignores events that do not apply; sending again would loop.
        row.failed = True
        row.last_error = (
            f"DataCite kept the DOI {reported} after '{taken.operation}' "
            f"(expected {expected})."
        )
    if reported in (DOIState.REGISTERED, DOIState.FINDABLE):
        _mark_pid_registered(row.pid_value)


def converge(
    row_id: int, *, actor: str = "task:converge", force: bool = False
) -> tuple[Step, ManagedDOI | None]:
    """Claim, call, record: one attempt at converging one row."""
    if breaker.paused_until() is not None:
        db.session.commit()
        return Step.PAUSED, None
    step, taken = claim(row_id, force=force)
    if taken is None:
        return step, db.session.get(ManagedDOI, row_id)
    try:
        outcome = call(taken)
    except Exception as exc:  # noqa: BLE001 - the gateway classifies; this is a last guard
        log.exception("Unclassified failure calling DataCite for %s", taken.doi)
        outcome = Outcome(
            kind=OutcomeKind.RETRYABLE,
            operation=taken.operation,
            doi=taken.doi,
            message=f"internal error: {exc!r}",
        )
    return Step.SENT, record(taken, outcome, actor)


def due_rows_query(now: datetime | None = None):
    """Rows the sweep should hand to workers: out of sync, not failed, due, not leased."""
    now = now or utcnow()
    return (
        db.session.query(ManagedDOI.id)
        .filter(
            ManagedDOI.in_sync.is_(False),
            ManagedDOI.failed.is_(False),
            ManagedDOI.next_attempt_at <= now,
        )
        .filter((ManagedDOI.lease_until.is_(None)) | (ManagedDOI.lease_until <= now))
        .order_by(ManagedDOI.next_attempt_at)
    )
