"""Reading DOIs back from DataCite and comparing with what the rows believe.

A row's ``remote_*`` columns are only what the last successful call left; someone
editing in Fabrica, a restored DataCite backup or a lost response makes them lie.
``check`` finds that drift; ``fix`` writes the truth into ``remote_*`` so that the
row is out of sync and a worker sends the desired state again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..datacite.gateway import DataCiteGateway
from ..lifecycle import store
from ..lifecycle.models import DOIState, ManagedDOI
from ..metadata.compare import held, plain
from ..metadata.fingerprint import fingerprint

MISSING = "missing"
WRONG_STATE = "wrong state"
DIFFERENT_METADATA = "different metadata"
DIFFERENT_URL = "different URL"


@dataclass
class Check:
    """The result of reading one DOI back."""

    row_id: int
    doi: str
    version: int
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    state: str = DOIState.NONE
    url: str | None = None
    metadata_fingerprint: str | None = None
    expected: dict[str, Any] = field(default_factory=dict)

    @property
    def drift(self) -> bool:
        return bool(self.problems)


def check(row: ManagedDOI, gateway: DataCiteGateway) -> Check:
    """Read one DOI from DataCite and list how it differs from the row's remote side."""
    result = Check(row_id=row.id, doi=row.doi, version=row.version_id)
    result.expected = {"state": row.remote_state, "url": row.remote_url}
    outcome = gateway.get(row.pid_value)
    if not outcome.ok:
        result.error = outcome.message or f"HTTP {outcome.status}"
        return result
    if not outcome.found:
        if row.remote_state != DOIState.NONE:
            result.problems.append(MISSING)
        return result
    result.state = outcome.state or DOIState.NONE
    result.url = outcome.url
    keys = list((row.desired_payload or {}).keys())
    actual = held(outcome.attributes, keys)
    result.metadata_fingerprint = fingerprint(actual, outcome.url)
    if result.state != row.remote_state:
        result.problems.append(WRONG_STATE)
    if row.remote_state == DOIState.NONE or row.desired_fingerprint != row.remote_fingerprint:
        # Nothing sent to compare with, or a new payload is on its way anyway.
        return result
    if (outcome.url or None) != (row.remote_url or None):
        result.problems.append(DIFFERENT_URL)
    # Same URL on both sides, so that only the metadata decides.
    at_datacite = fingerprint(plain(actual), row.remote_url)
    sent = fingerprint(plain(dict(row.desired_payload or {})), row.remote_url)
    if at_datacite != sent:
        result.problems.append(DIFFERENT_METADATA)
    return result


def fix(row: ManagedDOI, result: Check, actor: str) -> None:
    """Make ``remote_*`` say what DataCite holds, and the row due for convergence."""
    store.verify_fix(
        row,
        missing=MISSING in result.problems,
        state=result.state,
        url=result.url,
        fingerprint_at_datacite=result.metadata_fingerprint,
        content_differs=DIFFERENT_URL in result.problems or DIFFERENT_METADATA in result.problems,
        actor=actor,
        message="drift: " + ", ".join(result.problems),
    )
