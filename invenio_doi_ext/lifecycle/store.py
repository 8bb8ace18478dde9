"""The only writer of DOI rows and their events: named transitions, each guarded.

Every change of a ``ManagedDOI`` row, and every ``DOIEvent``, is made here. A
transition reads the state it starts from and says so when the row is not in
it; each appends its own event, so the history is complete by construction.
``in_sync`` is derived by the model and never set.

The worker's two transitions carry a token: :func:`claim` stores a fresh one on
the row with the lease, and :func:`record_outcome` applies an answer only while
the row still carries that token. A worker whose lease expired and that answers
after another worker claimed the row cannot overwrite the newer outcome; its
answer is kept as an event and the row is made due again.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from flask import current_app
from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier, PIDStatus

from ..datacite.outcome import LOCAL_RATE_LIMIT, Outcome, OutcomeKind
from ..metadata.fingerprint import fingerprint
from . import breaker
from .models import DOIEvent, DOIHold, DOIKind, DOIState, ManagedDOI, utcnow
from .plan import EXPECTED_STATE, Step, coerce, plan
from .touched import forget, touch


class TransitionError(RuntimeError):
    """A transition found the row in a state it does not start from."""


@dataclass(frozen=True)
class Target:
    """What DataCite should hold for one DOI."""

    state: str
    payload: Mapping[str, Any] | None = None
    url: str | None = None


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


# -- reading ----------------------------------------------------------------------------


def normalize(doi: str) -> str:
    """The row key: DOIs are case-insensitive and DataCite answers in lower case."""
    return doi.strip().lower()


def get_row(doi: str, *, lock: bool = False) -> ManagedDOI | None:
    """The row of a DOI, optionally locked for the rest of the transaction."""
    query = db.session.query(ManagedDOI).filter(ManagedDOI.doi == normalize(doi))
    if lock:
        query = query.with_for_update()
    return query.one_or_none()


def lock_row(row_id: int) -> ManagedDOI | None:
    """The row, locked for the rest of the transaction (workers hold it only briefly)."""
    return db.session.query(ManagedDOI).filter(ManagedDOI.id == row_id).with_for_update().one_or_none()


def needs_work(row: ManagedDOI) -> bool:
    """Whether converging the row could change anything at DataCite."""
    return row.failed or not row.in_sync


# -- timing (defaults live in config.py; set_defaults put them in the app config) ---------


def _coalesce_seconds() -> float:
    return float(current_app.config["DOI_EXT_COALESCE_SECONDS"] or 0)


def _http_timeout() -> tuple[float, float]:
    value = current_app.config["DOI_EXT_HTTP_TIMEOUT"]
    if isinstance(value, (int, float)):
        return float(value), float(value)
    connect, read = value
    return float(connect), float(read)


def _lease_seconds() -> float:
    """How long a claimed row stays with its worker: a worker killed mid-call delays it this long."""
    configured = current_app.config["DOI_EXT_LEASE_SECONDS"]
    if configured:
        return float(configured)
    connect, read = _http_timeout()
    # The call itself, plus up to a minute waiting for a shared rate-limit slot.
    return 2 * (connect + read) + 60.0


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Exponential back-off with jitter, capped; DataCite's Retry-After wins if longer."""
    base, cap = current_app.config["DOI_EXT_BACKOFF"]
    ceiling = min(float(cap), float(base) * (2 ** max(attempts - 1, 0)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return delay


# -- events -----------------------------------------------------------------------------


def _event(row: ManagedDOI, actor: str, action: str, **fields: Any) -> DOIEvent:
    event = DOIEvent(doi_id=row.id, actor=actor, action=action, **fields)
    db.session.add(event)
    return event


def note(row: ManagedDOI, actor: str, operation: str, message: str | None = None) -> DOIEvent:
    """An operator's act that changes no column (verify found drift, assign...), for the history."""
    return _event(
        row,
        actor,
        "operator",
        operation=operation,
        from_state=row.remote_state,
        to_state=row.desired_state,
        message=message,
    )


# -- the request side -----------------------------------------------------------------------

_KEEP = object()


def set_desired(
    pid_value: str,
    target: Target,
    *,
    kind: str = DOIKind.RECORD,
    object_uuid: UUID | str | None = None,
    actor: str = "system",
    reason: str | None = None,
    hold: DOIHold | None | object = _KEEP,
    operation: str | None = None,
) -> ManagedDOI:
    """Make ``target`` what DataCite should hold, in the caller's transaction.

    From any state. A new payload clears a failure (DataCite refused the previous
    one); a row that was already waiting keeps its place, so a burst of edits is one
    call; a change that alters nothing writes nothing but ``hold`` (and, when
    ``hold`` changed and ``operation`` names why, an event saying so).
    """
    row = get_row(pid_value, lock=True)
    if row is None:
        row = ManagedDOI(
            doi=normalize(pid_value),
            pid_value=pid_value,
            kind=kind,
            remote_state=DOIState.NONE,
            desired_state=DOIState.NONE,
            attempts=0,
            failed=False,
            next_attempt_at=utcnow(),
        )
        db.session.add(row)
    if object_uuid is not None:
        row.object_uuid = object_uuid
    row.kind = kind
    hold_changed = hold is not _KEEP and row.hold != hold
    if hold_changed:
        row.hold = hold

    state = coerce(target.state, row.remote_state)
    if state != DOIState.NONE and row.hold == DOIHold.DELETED:
        row.hold = None  # wanted at DataCite again
    payload = dict(target.payload) if target.payload is not None else None
    new_fingerprint = fingerprint(payload, target.url) if state != DOIState.NONE else None
    if row.id is not None and (state, new_fingerprint) == (row.desired_state, row.desired_fingerprint):
        if operation is not None and hold_changed:
            _event(
                row, actor, "desired", operation=operation, from_state=state, to_state=state, message=reason
            )
        return row

    was_waiting = not row.in_sync and not row.failed
    previous = row.desired_state
    row.desired_state = state
    row.desired_payload = payload
    row.desired_url = target.url
    row.desired_fingerprint = new_fingerprint
    row.desired_changed = utcnow()
    if row.failed:
        row.failed = False
        row.attempts = 0
    if not row.in_sync and not was_waiting:
        row.next_attempt_at = utcnow() + timedelta(seconds=_coalesce_seconds())

    db.session.flush()
    _event(row, actor, "desired", operation=operation, from_state=previous, to_state=state, message=reason)
    if not row.in_sync:
        delay = (row.next_attempt_at - utcnow()).total_seconds()
        touch(db.session, row.id, max(delay, 0.0))
    return row


def set_hold(row: ManagedDOI, hold: DOIHold | None) -> None:
    """Why a DOI DataCite must not hold is kept (pending, set aside), or that it no longer is."""
    row.hold = hold


# -- the worker side ------------------------------------------------------------------------


def _is_due(row: ManagedDOI, now: datetime) -> bool:
    return (
        not row.in_sync
        and not row.failed
        and row.next_attempt_at <= now
        and (row.lease_until is None or row.lease_until <= now)
    )


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
    coerced = coerce(row.desired_state, row.remote_state)
    if coerced != row.desired_state:
        # DataCite holds it registered or findable (e.g. found by verify): it can only be hidden.
        _event(row, "system", "desired", from_state=row.desired_state, to_state=coerced,
               message="DataCite holds this DOI registered: it can only be hidden")
        row.desired_state = coerced
    operation = plan(row.desired_state, row.remote_state, row.desired_fingerprint, row.remote_fingerprint)
    if operation is None:
        in_sync = row.in_sync
        db.session.commit()
        return (Step.IN_SYNC if in_sync else Step.SKIPPED), None
    row.lease_until = now + timedelta(seconds=_lease_seconds())
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
        breaker.record_success()
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
            resume = breaker.trip(f"DataCite refused the credentials: {row.last_error}")
        else:
            resume = breaker.record_failure(row.last_error) if _is_outage(outcome) else None
        delay_until = now + timedelta(seconds=backoff_delay(row.attempts, outcome.retry_after))
        row.next_attempt_at = max(delay_until, resume) if resume else delay_until

    _event(
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
    _event(
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
        _mark_pid_registered(row.pid_value)


def mark_queued(row_ids: Iterable[int], now: datetime) -> None:
    """The sweep handed these rows to the broker; it will not hand them again for a while."""
    ids = list(row_ids)
    if ids:
        db.session.query(ManagedDOI).filter(ManagedDOI.id.in_(ids)).update(
            {ManagedDOI.queued_at: now}, synchronize_session=False
        )


# -- operators ------------------------------------------------------------------------------


def operator_retry(row: ManagedDOI, actor: str, operation: str = "retry", message: str | None = None) -> bool:
    """From failed or out of sync to due now, attempts reset; False (no event) when in sync.

    The one retry of the CLI, the REST API and the administration page.
    """
    if not needs_work(row):
        return False
    was_failed = row.failed
    now = utcnow()
    row.failed = False
    if was_failed:
        row.attempts = 0
    row.next_attempt_at = now
    row.queued_at = now
    if message is None and was_failed:
        message = "failure cleared by operator"
    note(row, actor, operation, message)
    return True


def adopt_remote(
    row: ManagedDOI,
    *,
    found: bool,
    state: str | None,
    url: str | None,
    fingerprint_at_datacite: str | None,
    actor: str,
) -> None:
    """What DataCite was read to hold becomes the row's remote side (adopt).

    From any state of a row that no worker holds; a DOI found as it should be
    needs no call, so the converge task queued by :func:`set_desired` is dropped.
    """
    if row.claim_token is not None and row.lease_until is not None and row.lease_until > utcnow():
        raise TransitionError(f"{row.doi} is being converged by a worker; adopt it again later")
    row.remote_checked = utcnow()
    if not found:
        row.remote_state, row.remote_fingerprint, row.remote_url = DOIState.NONE, None, None
    else:
        row.remote_state = state or DOIState.NONE
        row.remote_url = url
        row.remote_fingerprint = fingerprint_at_datacite
    row.next_attempt_at = utcnow()
    note(row, actor, "adopt", "found at DataCite: " + (row.remote_state if found else "absent"))
    if row.in_sync:
        forget(db.session, row.id)


def verify_fix(
    row: ManagedDOI,
    *,
    missing: bool,
    state: str,
    url: str | None,
    fingerprint_at_datacite: str | None,
    content_differs: bool,
    actor: str,
    message: str,
) -> None:
    """From drifted to what DataCite holds on the remote side, due now (verify --fix).

    The row is then out of sync wherever DataCite differs from the desired state,
    and a worker sends it again; a failure is cleared, since the call that failed
    was judged against a remote side that was not true.
    """
    now = utcnow()
    if missing:
        row.remote_state = DOIState.NONE
        row.remote_fingerprint = None
        row.remote_url = None
    else:
        row.remote_state = state
        if content_differs:
            row.remote_url = url
            row.remote_fingerprint = fingerprint_at_datacite
        elif row.remote_state != DOIState.NONE and row.remote_fingerprint is None:
            row.remote_fingerprint = fingerprint_at_datacite
    row.remote_checked = now
    row.failed = False
    row.attempts = 0
    row.next_attempt_at = now
    row.queued_at = now
    note(row, actor, "verify", message)


# -- the local PID follows DataCite ------------------------------------------------------


def _pid(pid_value: str) -> PersistentIdentifier | None:
    return PersistentIdentifier.query.filter_by(pid_type="doi", pid_value=pid_value).one_or_none()


def _mark_pid_registered(pid_value: str) -> None:
    """The local PID says REGISTERED only once DataCite has confirmed it."""
    pid = _pid(pid_value)
    if pid is not None and pid.status in (PIDStatus.NEW, PIDStatus.RESERVED):
        pid.register()


def align_pid_status(pid: PersistentIdentifier, remote_state: str) -> None:
    """The local PID says REGISTERED exactly when DataCite has it registered or findable."""
    at_datacite = remote_state in (DOIState.REGISTERED, DOIState.FINDABLE)
    if pid.status == PIDStatus.REGISTERED and not at_datacite:
        # pidstore has no method back from REGISTERED: DataCite never had it (adopt found
        # upstream's record of a registration that did not happen).
        pid.status = PIDStatus.RESERVED
    elif pid.status in (PIDStatus.NEW, PIDStatus.RESERVED) and at_datacite:
        pid.register()
