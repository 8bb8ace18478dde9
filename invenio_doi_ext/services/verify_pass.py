"""One verify pass over every managed DOI: read back, report drift, optionally fix.

The pass yields a :class:`Finding` for each DOI worth telling about (drift, not
readable, changed while being verified) and fills a :class:`VerifyReport`; a face
prints them. It stops, with ``report.stopped`` saying why, when DataCite stops
answering, rather than reading on through an outage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from invenio_db import db

from ..lifecycle import store
from ..lifecycle.client import Gateways, pick
from ..lifecycle.enqueue import send
from ..lifecycle.models import ManagedDOI, utcnow
from . import credentials, queries, verify

#: Consecutive unanswered reads after which a pass stops (DataCite is down).
MAX_CONSECUTIVE_ERRORS = 10

DRIFT = "drift"
UNREADABLE = "unreadable"
NOT_FIXED = "not fixed"


@dataclass(frozen=True)
class Finding:
    """One DOI the operator should hear about."""

    kind: str
    doi: str
    text: str


@dataclass
class VerifyReport:
    """What a pass found and did."""

    checked: int = 0
    drifted: int = 0
    unreadable: int = 0
    fixed: int = 0
    by_problem: Counter[str] = field(default_factory=Counter)
    stopped: str | None = None

    @property
    def clean(self) -> bool:
        return not (self.drifted or self.unreadable or self.stopped)


def drift_text(row: ManagedDOI, result: verify.Check) -> str:
    """One line saying how DataCite differs from what the row believes."""
    held = "nothing" if verify.MISSING in result.problems else f"{result.state} {result.url or '-'}"
    return (
        f"{verify.describe(result)}: expected {row.remote_state} "
        f"{row.remote_url or '-'}, DataCite holds {held}"
    )


def run(
    gateway: Gateways,
    report: VerifyReport,
    *,
    fix: bool,
    batch_size: int,
    actor: str,
    kind: str | None = None,
) -> Iterator[Finding]:
    """Check every row in id order, a batch per transaction; fix drifted ones when asked.

    ``kind`` limits the pass to version, concept or file DOIs. Each row is read with
    its own account's gateway (``gateway`` may be one gateway
    for all, or :func:`~invenio_doi_ext.lifecycle.client.current_gateway`).

    Stops before reading anything when the credentials cannot be proven
    (``report.stopped``): a 404 read with wrong credentials proves nothing.
    """
    try:
        credentials.prove(gateway)
    except credentials.CredentialsError as exc:
        report.stopped = str(exc)
        return
    consecutive_errors = 0
    for batch in queries.batches(queries.rows_query(queries.RowFilter(kind=kind)), batch_size):
        drifted = []
        for row in batch:
            result = verify.check(row, pick(gateway, row.account))
            report.checked += 1
            if result.error:
                report.unreadable += 1
                consecutive_errors += 1
                yield Finding(UNREADABLE, row.doi, f"not verified: {result.error}")
                if consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
                    db.session.rollback()
                    report.stopped = (
                        f"DataCite did not answer {consecutive_errors} times in a row; stopped after "
                        f"{report.checked} DOI(s). Rerun when it is back."
                    )
                    return
                continue
            consecutive_errors = 0
            if result.drift:
                report.drifted += 1
                report.by_problem.update(result.problems)
                yield Finding(DRIFT, row.doi, drift_text(row, result))
                drifted.append(result)
        db.session.commit()  # ends the read transaction of the batch
        if fix and drifted:
            yield from _fix(drifted, report, actor)


def _fix(results: list[verify.Check], report: VerifyReport, actor: str) -> Iterator[Finding]:
    """Apply the fixes of one batch under row locks; rows changed meanwhile are left."""
    now = utcnow()
    fixed = []
    for result in results:
        row = store.lock_row(result.row_id)
        if row is None or row.version_id != result.version or (row.lease_until and row.lease_until > now):
            yield Finding(NOT_FIXED, result.doi, "changed while being verified; not fixed (rerun verify).")
            continue
        verify.fix(row, result, actor)
        fixed.append(row.id)
    db.session.commit()
    report.fixed += len(fixed)
    for row_id in fixed:
        send(row_id)
