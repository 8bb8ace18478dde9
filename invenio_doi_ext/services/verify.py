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
from ..metadata.compare import differing_fields, held_fingerprint

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
    fields: list[str] = field(default_factory=list)
    """With ``different metadata``: the attributes DataCite holds otherwise than sent."""
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
    result.metadata_fingerprint = held_fingerprint(
        row.desired_payload,
        outcome.attributes,
        sent_url=row.remote_url,
        held_url=outcome.url,
        sent_fingerprint=row.remote_fingerprint,
    )
    if result.state != row.remote_state:
        result.problems.append(WRONG_STATE)
    if row.remote_state == DOIState.NONE or row.desired_fingerprint != row.remote_fingerprint:
        # Nothing sent to compare with, or a new payload is on its way anyway.
        return result
    if (outcome.url or None) != (row.remote_url or None):
        result.problems.append(DIFFERENT_URL)
    # DataCite answers in its normal form: only a field we sent that it holds otherwise counts.
    result.fields = differing_fields(row.desired_payload, outcome.attributes)
    if result.fields:
        result.problems.append(DIFFERENT_METADATA)
    return result


def describe(result: Check) -> str:
    """The problems, the metadata ones naming their fields: ``different metadata (titles)``."""
    return ", ".join(
        f"{problem} ({', '.join(result.fields)})" if problem == DIFFERENT_METADATA else problem
        for problem in result.problems
    )


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
        message="drift: " + describe(result),
    )
