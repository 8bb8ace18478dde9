"""The result of one DataCite call, already classified.

The lifecycle never sees an HTTP response or an exception: it decides what to do
(record, retry, fail, back off the account) from ``Outcome.kind`` alone, and keeps
``status`` and ``message`` for the event history that operators read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

LOCAL_RATE_LIMIT = "local rate limit"
"""Message of a call not sent because no local rate-limit slot freed in time."""

LIMITER_UNAVAILABLE = "rate limiter storage unavailable"
"""Start of the message of a call not sent because the limiter's storage (Redis) failed.

Unlike :data:`LOCAL_RATE_LIMIT` this is a failure: it is counted, backed off, shown
on the row and, when it persists, opens the breaker like an outage of DataCite.
"""


class OutcomeKind(str, enum.Enum):
    """What the caller should do next, not what went wrong."""

    SUCCESS = "success"
    RETRYABLE = "retryable"  # try again later (backoff, honour retry_after)
    PERMANENT = "permanent"  # retrying the same payload cannot help
    CREDENTIALS = "credentials"  # every call of the instance will fail: back off globally


@dataclass(frozen=True)
class FieldError:
    """One DataCite error entry; ``title`` is DataCite's text, verbatim."""

    source: str | None
    title: str

    def __str__(self) -> str:
        return f"{self.source}: {self.title}" if self.source else self.title


@dataclass(frozen=True)
class Outcome:
    """A classified DataCite call; see ``docs/gateway.rst`` for the status table."""

    kind: OutcomeKind
    operation: str
    doi: str
    status: int | None = None
    state: str | None = None
    found: bool = True
    url: str | None = None
    attributes: dict | None = None
    errors: tuple[FieldError, ...] = ()
    message: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.SUCCESS
