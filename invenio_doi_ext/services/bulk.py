"""Operations over many DOIs: select in bounded batches, make due, converge, reserve.

Shared by ``invenio doi sync/retry/reserve-unreserved`` and anything else that
steers DOIs in bulk. Every batch commits on its own, so an interrupted run loses
nothing and a rerun continues; the generators yield after each DOI so that a face
can show progress without holding any logic itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from invenio_db import db

from .. import settings
from ..lifecycle import breaker, store
from ..lifecycle.converge import converge
from ..lifecycle.enqueue import send
from ..lifecycle.models import ManagedDOI
from ..lifecycle.plan import Step
from ..lifecycle.touched import take_touched
from . import operations, queries


@dataclass
class Tally:
    """Counts of a bulk run: shown while it runs and summed up at the end."""

    total: int
    done: int = 0
    failed: int = 0
    waiting: int = 0
    paused_until: datetime | None = None
    paused_reason: str | None = None

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed

    @property
    def ok(self) -> bool:
        """Everything ended in sync."""
        return self.failed == 0 and self.remaining == 0

    def line(self) -> str:
        return f"done {self.done}, failed {self.failed}, remaining {self.remaining}"

    def count(self, row: ManagedDOI | None) -> None:
        """Count one converged row by how it ended."""
        if row is None or (row.in_sync and not row.failed):
            self.done += 1
        elif row.failed:
            self.failed += 1
        else:
            self.waiting += 1  # a retryable failure: the worker retries after its back-off


class ReservationOffError(Exception):
    """``DOI_EXT_RESERVE_ON_DRAFT`` is off: drafts are not reserved at DataCite."""


# -- selecting --------------------------------------------------------------------------


def _out_of_sync() -> queries.RowFilter:
    return queries.RowFilter(failed=False, out_of_sync=True)


def _failed() -> queries.RowFilter:
    return queries.RowFilter(failed=True)


def selected_batches(
    named: list[ManagedDOI], all_: bool, failed: bool, size: int
) -> Iterator[list[ManagedDOI]]:
    """The named rows, then (``all_``) every out-of-sync one, then (``failed``) every failed one."""
    if named:
        yield named
    if all_:
        yield from queries.batches(queries.rows_query(_out_of_sync()), size)
    if failed:
        yield from queries.batches(queries.rows_query(_failed()), size)


def count_selected(named: list[ManagedDOI], all_: bool, failed: bool) -> int:
    """How many rows :func:`selected_batches` will yield (for a progress bar)."""
    total = len(named)
    if all_:
        total += queries.rows_query(_out_of_sync()).count()
    if failed:
        total += queries.rows_query(_failed()).count()
    return total


# -- steering -----------------------------------------------------------------------------


def make_due(ids: list[int], actor: str, operation: str = "sync") -> list[int]:
    """Lock, make due (clearing failures) and commit one batch; the ids that need work."""
    due = []
    for row_id in ids:
        row = store.lock_row(row_id)
        if row is not None and operations.make_due(row, actor, operation):
            due.append(row_id)
    db.session.commit()
    return due


def hand_to_workers(batches: Iterable[list[ManagedDOI]], actor: str) -> int:
    """Make every selected row due and enqueue it; how many were handed over."""
    queued = 0
    for batch in batches:
        ids = make_due([row.id for row in batch], actor)
        for row_id in ids:
            send(row_id)
        queued += len(ids)
    return queued


def retry(row: ManagedDOI, actor: str, message: str | None = None) -> bool:
    """The operator's retry of one DOI: clear the failure, commit, enqueue; False when in sync."""
    row = store.lock_row(row.id)
    if not operations.retry(row, actor, message):
        db.session.commit()
        return False
    row_id = row.id
    db.session.commit()
    send(row_id)
    return True


def converge_here(
    batches: Iterable[list[ManagedDOI]], tally: Tally, *, actor: str, prepare: bool
) -> Iterator[int]:
    """Converge every row in this process; yields how many rows advanced at each step.

    With ``prepare`` each batch is made due first (rows already in sync count as
    done). A DOI whose account's breaker is open is skipped (``tally.paused_until`` says until when).
    """
    for batch in batches:
        ids = [row.id for row in batch]
        if prepare:
            due = make_due(ids, actor)
            if len(ids) != len(due):
                tally.done += len(ids) - len(due)
                yield len(ids) - len(due)
            ids = due
        for row_id in ids:
            step, row = converge(row_id, actor=actor, force=True)
            if step == Step.PAUSED:
                # Only this DOI's account is paused: the other accounts' DOIs go on.
                account = row.account
                tally.paused_until = breaker.paused_until(account=account)
                tally.paused_reason = f"account {account!r}: {breaker.state(account).reason}"
                continue
            tally.count(row)
            yield 1


# -- reserving drafts' DOIs --------------------------------------------------------------


def check_reservation_on() -> None:
    """Refuse to reserve when the instance does not reserve drafts' DOIs."""
    if not settings.reserve_on_draft():
        raise ReservationOffError("DOI_EXT_RESERVE_ON_DRAFT is off: drafts are not reserved at DataCite.")


def unreserved_tally(kind: str | None = None) -> Tally:
    """Every draft DOI DataCite does not hold yet; the failed ones count as failed from the start."""
    total = queries.unreserved_rows_query(kind).count() + queries.rowless_draft_pids_query(kind).count()
    failed = queries.unreserved_rows_query(kind).filter(ManagedDOI.failed.is_(True)).count()
    return Tally(total=total, failed=failed)


def unreserved_batches(size: int, skipped: list[str], kind: str | None = None) -> Iterator[list[ManagedDOI]]:
    """Drafts' rows waiting for a reservation (records' and files'), then drafts' DOIs without a row."""
    rows_q = queries.unreserved_rows_query(kind).filter(ManagedDOI.failed.is_(False))
    for batch in queries.batches(rows_q, size):
        yield _refresh_drafts([(row.doi, row) for row in batch], skipped)
    for pids in queries.pid_batches(queries.rowless_draft_pids_query(kind), size):
        yield _refresh_drafts([(pid.pid_value, None) for pid in pids], skipped)


def _refresh_drafts(items: list[tuple[str, ManagedDOI | None]], skipped: list[str]) -> list[ManagedDOI]:
    """Recompute each draft's desired state (creating missing rows); commit the batch."""
    rows = []
    for doi_value, row in items:
        if not operations.refresh_draft_doi(doi_value, row, "reserve-unreserved"):
            skipped.append(doi_value)
            continue
        fresh = store.get_row(doi_value)
        if fresh is not None:
            rows.append(fresh)
    take_touched(db.session)  # converged right here, not by a second task
    db.session.commit()
    return rows
