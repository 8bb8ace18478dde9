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

A published DOI's payload is built by the worker: the request commits the
desired state with the hash of the record content it derives from
(``set_desired`` with a ``Target.source``), and :func:`build_desired` stores the
payload built from that content before the row is claimed.
"""

from __future__ import annotations

from .operators import adopt_remote, operator_retry, verify_fix
from .pids import align_pid_status
from .rows import (
    Target,
    TransitionError,
    any_row_once,
    get_row,
    lock_row,
    needs_work,
    normalize,
    note,
    set_desired,
    set_hold,
)
from .timing import backoff_delay
from .worker import (
    Claim,
    awaits_payload,
    build_desired,
    build_failed,
    claim,
    mark_queued,
    record_outcome,
)

__all__ = (
    "Claim",
    "Target",
    "TransitionError",
    "adopt_remote",
    "any_row_once",
    "align_pid_status",
    "awaits_payload",
    "build_desired",
    "build_failed",
    "backoff_delay",
    "claim",
    "get_row",
    "lock_row",
    "mark_queued",
    "needs_work",
    "normalize",
    "note",
    "operator_retry",
    "record_outcome",
    "set_desired",
    "set_hold",
    "verify_fix",
)
