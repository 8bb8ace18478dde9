"""The worker's transitions: ``claim`` under a token, ``record_outcome`` under that token."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from invenio_db import db

from ...datacite.outcome import LOCAL_RATE_LIMIT, Outcome, OutcomeKind
from ...metadata.fingerprint import fingerprint
from .. import breaker
from ..models import DOIHold, DOIState, ManagedDOI, utcnow
from ..plan import EXPECTED_STATE, Step, coerce, plan
from .pids import mark_pid_registered
from .rows import append_event, lock_row
from .timing import backoff_delay, lease_seconds


@dataclass(frozen=True)
class Claim:
    """What a worker read from the row when it took it; the call sends exactly this."""

    row_id: int
    token: str
    doi: str
    operation: str
    desired_state: str
    payload: dict[str, Any] | None
    url: str | None
    fingerprint: str | None
    remote_state: str
    account: str = "default"


def _is_due(row: ManagedDOI, now: datetime) -> bool:
    return (
        not row.in_sync
        and not row.failed
        and row.next_attempt_at <= now
        and (row.lease_until is None or row.lease_until <= now)
    )


def awaits_payload(row: ManagedDOI) -> bool:
    """The row's desired payload is left to a worker and not built yet."""
    return row.desired_state != DOIState.NONE and row.desired_fingerprint is None


def build_desired(row_id: int, source: str, payload: Mapping[str, Any], url: str | None) -> ManagedDOI | None:
    """From awaiting its payload (derived from ``source``) to that payload, in its own transaction.

    Only while the row still awaits the payload of ``source``: if a request changed
    the record meanwhile, the row carries the newer source and its own task builds
    that one. No event: the history already has the change that asked for it.
    """
    row = lock_row(row_id)
    if row is not None and awaits_payload(row) and row.desired_source == source:
        row.desired_payload = dict(payload)
        row.desired_url = url
        row.desired_fingerprint = fingerprint(row.desired_payload, url)
    db.session.commit()
    return row


def build_failed(row_id: int, source: str | None, message: str) -> ManagedDOI | None:
    """The payload could not be built: failed, visible with the reason, retried by an operator."""
    row = lock_row(row_id)
    if row is not None and awaits_payload(row) and row.desired_source == source:
        row.failed = True
        row.last_error = message
        row.last_status = None
        append_event(row, "task:converge", "desired", operation="build", outcome="failed", message=message)
    db.session.commit()
    return row


def claim(row_id: int, *, force: bool = False) -> tuple[Step, Claim | None]:
    """From due and unleased (or, forced, any unleased row) to leased under a new token.

    Runs in its own short transaction (``FOR UPDATE SKIP LOCKED``: concurrent
    workers never take the same row), so no lock is held during the call.
    """
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
    if awaits_payload(row):
        db.session.commit()  # nothing to send until ``build_desired`` stored the payload
        return Step.SKIPPED, None
    coerced = coerce(row.desired_state, row.remote_state)
    if coerced != row.desired_state:
        # DataCite holds it registered or findable (e.g. found by verify): it can only be hidden.
        append_event(row, "system", "desired", from_state=row.desired_state, to_state=coerced,
               message="DataCite holds this DOI registered: it can only be hidden")
        row.desired_state = coerced
    operation = plan(row.desired_state, row.remote_state, row.desired_fingerprint, row.remote_fingerprint)
    if operation is None:
        in_sync = row.in_sync
        db.session.commit()
        return (Step.IN_SYNC if in_sync else Step.SKIPPED), None
    row.lease_until = now + timedelta(seconds=lease_seconds())
    row.claim_token = secrets.token_hex(16)
    taken = Claim(
        row_id=row.id,
        token=row.claim_token,
        doi=row.pid_value,
        operation=operation,
        desired_state=row.desired_state,
        payload=row.desired_payload,
        url=row.desired_url,
        fingerprint=row.desired_fingerprint,
        remote_state=row.remote_state,
        account=row.account,
    )
    db.session.commit()
    return Step.SENT, taken


def record_outcome(taken: Claim, outcome: Outcome, actor: str) -> ManagedDOI | None:
    """From leased under ``taken.token`` to the outcome's state; a stale token changes nothing.

    One guarded read-modify-write in its own transaction: the row is locked and
    its token compared, so the outcome of a claim that is no longer the row's is
    kept as an event only (see :func:`_record_late`).
    """
    row = (
        db.session.query(ManagedDOI)
        .filter(ManagedDOI.id == taken.row_id)
        .with_for_update()
        .one_or_none()
    )
    if row is None:  # the DOI stopped being managed while the call was in flight
        db.session.commit()
        return None
    if row.claim_token != taken.token:
        _record_late(row, taken, outcome, actor)
        db.session.commit()
        return row

    now = utcnow()
    row.lease_until = None
    row.claim_token = None
    row.last_status = outcome.status
    remote_before = row.remote_state
    message = outcome.message or None
    if outcome.kind == OutcomeKind.SUCCESS:
        _apply_success(row, taken, outcome)
        message = message or (row.last_error if row.failed else None)
        breaker.record_success(taken.account)
    elif outcome.message == LOCAL_RATE_LIMIT:
        # Nothing was sent: our own limiter had no slot in time. Not a failure of the row.
        row.next_attempt_at = now + timedelta(seconds=random.uniform(5.0, 30.0))
    elif outcome.kind == OutcomeKind.PERMANENT:
        row.failed = True
        row.last_error = outcome.message or f"HTTP {outcome.status}"
    else:
        row.attempts += 1
        row.last_error = outcome.message or "DataCite did not answer"
        if outcome.kind == OutcomeKind.CREDENTIALS:
            resume = breaker.trip(
                f"DataCite refused the credentials of account {taken.account!r}: {row.last_error}",
                taken.account,
            )
        else:
            resume = breaker.record_failure(row.last_error, taken.account) if _is_outage(outcome) else None
        delay_until = now + timedelta(seconds=backoff_delay(row.attempts, outcome.retry_after))
        row.next_attempt_at = max(delay_until, resume) if resume else delay_until

    append_event(
        row,
        actor,
        "call",
        operation=taken.operation,
        from_state=remote_before,
        to_state=row.remote_state,
        http_status=outcome.status,
        outcome=outcome.kind.value,
        message=message,
    )
    db.session.commit()
    return row


def _record_late(row: ManagedDOI, taken: Claim, outcome: Outcome, actor: str) -> None:
    """An answer to a claim whose lease expired: kept, never applied over a newer one.

    A late success may have reached DataCite after the newer call, so what DataCite
    holds is no longer known: unless it is exactly what the row already believes,
    the row's remote side is marked unknown (the next call sends the full payload
    with its event) and any claim still in flight loses its token too, since its
    answer cannot be trusted over this one.
    """
    append_event(
        row,
        actor,
        "call",
        operation=taken.operation,
        from_state=taken.remote_state,
        to_state=row.remote_state,
        http_status=outcome.status,
        outcome=outcome.kind.value,
        message="late answer of an expired claim, not applied"
        + (f": {outcome.message}" if outcome.message else ""),
    )
    if outcome.kind == OutcomeKind.SUCCESS:
        expected = outcome.state or EXPECTED_STATE.get(taken.operation, taken.remote_state)
        if (expected, taken.fingerprint) != (row.remote_state, row.remote_fingerprint):
            row.remote_state = expected
            row.remote_fingerprint = None
            row.remote_url = None
            row.claim_token = None
            row.lease_until = None
    row.next_attempt_at = utcnow()


def _is_outage(outcome: Outcome) -> bool:
    return outcome.status is None or outcome.status >= 500


def _apply_success(row: ManagedDOI, taken: Claim, outcome: Outcome) -> None:
    row.attempts = 0
    row.failed = False
    row.last_error = None
    row.remote_checked = utcnow()
    if taken.operation == "delete_draft":
        row.remote_state = DOIState.NONE
        row.remote_fingerprint = None
        row.remote_url = None
        if row.hold is None:  # a set-aside or pending DOI keeps its more specific reason
            row.hold = DOIHold.DELETED  # "was at DataCite", which nothing else on the row keeps
        return
    expected = EXPECTED_STATE.get(taken.operation, taken.remote_state)
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
        mark_pid_registered(row.pid_value)


def mark_queued(row_ids: Iterable[int], now: datetime) -> None:
    """The sweep handed these rows to the broker; it will not hand them again for a while."""
    ids = list(row_ids)
    if ids:
        db.session.query(ManagedDOI).filter(ManagedDOI.id.in_(ids)).update(
            {ManagedDOI.queued_at: now}, synchronize_session=False
        )
