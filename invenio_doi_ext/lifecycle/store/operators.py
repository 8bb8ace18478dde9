"""Transitions operators ask for: retry, and writing what DataCite was read to hold."""

from __future__ import annotations

from invenio_db import db

from ..models import DOIState, ManagedDOI, utcnow
from ..touched import forget
from .rows import TransitionError, needs_work, note


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
        forget(db.session, row)


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
