"""Which DataCite call converges a DOI: pure rules over states, no database, no HTTP."""

from __future__ import annotations

import enum

from .models import DOIState


class Step(str, enum.Enum):
    """What one convergence attempt did."""

    SENT = "sent"
    SKIPPED = "skipped"  # not due, in sync, failed, leased by another worker, or gone
    IN_SYNC = "in_sync"  # nothing to send
    PAUSED = "paused"  # the breaker of the row's DataCite account is open

# (desired, remote) -> operation; absent means nothing to send for the state.
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

#: The state DataCite holds after a successful call of each operation.
EXPECTED_STATE = {
    "reserve": DOIState.DRAFT,
    "register": DOIState.REGISTERED,
    "hide": DOIState.REGISTERED,
    "publish": DOIState.FINDABLE,
    "delete_draft": DOIState.NONE,
}


def plan(desired: str, remote: str, desired_fp: str | None, remote_fp: str | None) -> str | None:
    """The smallest call that makes DataCite hold the desired state and payload."""
    if desired == remote:
        if desired == DOIState.NONE or desired_fp == remote_fp:
            return None
        return "update"
    return _STATE_CHANGE.get((desired, remote))


def coerce(state: str, remote_state: str) -> str:
    """DataCite never takes a registered or findable DOI back to draft or deletes it."""
    if remote_state in (DOIState.REGISTERED, DOIState.FINDABLE) and state in (
        DOIState.NONE,
        DOIState.DRAFT,
    ):
        return DOIState.REGISTERED
    return state
