"""The convergence step: claim one due row, make the smallest DataCite call, record it.

No database lock is held during the HTTP call: the store claims the row with a
lease and a token in a short transaction, the call is made, and the outcome is
recorded under that token in a second short transaction. A web request changing
the record meanwhile is never blocked by DataCite's latency, and its new payload
is sent right after.
"""

from __future__ import annotations

import logging
from datetime import datetime

from invenio_db import db

from ..datacite.outcome import Outcome, OutcomeKind
from . import breaker, builders, store
from .client import UnknownAccountError, current_gateway
from .models import ManagedDOI, utcnow
from .plan import Step
from .store import Claim

log = logging.getLogger(__name__)


def call(taken: Claim) -> Outcome:
    """Send the claimed change to DataCite through the gateway of the row's account."""
    try:
        gateway = current_gateway(taken.account)
    except UnknownAccountError as exc:
        return Outcome(kind=OutcomeKind.PERMANENT, operation=taken.operation, doi=taken.doi, message=str(exc))
    if taken.operation == "delete_draft":
        return gateway.delete_draft(taken.doi)
    method = getattr(gateway, taken.operation)
    return method(taken.doi, metadata=taken.payload, url=taken.url)


def build_payload(row: ManagedDOI | None) -> None:
    """Build the payload a request left to the worker, from the record as committed.

    The request committed the desired state and the source (a hash of the record
    content); serializing that content here keeps the serializer out of the web
    request. A failure to build marks the row failed with the reason, visible and
    retried like a refused call.
    """
    if row is None or row.failed or not store.awaits_payload(row):
        return
    row_id, source = row.id, row.desired_source
    builder = builders.builder_for(row.kind)
    if builder is None:
        store.build_failed(row_id, source, f"No builder of DataCite metadata for DOIs of kind {row.kind!r}.")
        return
    try:
        target = builder(row)
    except Exception as exc:  # noqa: BLE001 - any failure of the serializer must stay visible
        log.exception("Could not build the DataCite metadata of %s", row.doi, extra={"pid": row.doi})
        db.session.rollback()  # the serializer's queries may have left the transaction failed
        store.build_failed(row_id, source, f"The DataCite metadata could not be built from the record: {exc}")
        return
    if target is None or target.payload is None:
        store.build_failed(
            row_id,
            source,
            "The record of this DOI has no metadata to send (it no longer exists): "
            "run `invenio doi status` and `invenio doi verify` on it.",
        )
        return
    store.build_desired(row_id, source, target.payload, target.url)


def converge(
    row_id: int, *, actor: str = "task:converge", force: bool = False
) -> tuple[Step, ManagedDOI | None]:
    """Build, claim, call, record: one attempt at converging one row (its account's breaker allowing)."""
    row = db.session.get(ManagedDOI, row_id)
    if row is not None and breaker.paused_until(account=row.account) is not None:
        db.session.commit()
        return Step.PAUSED, row
    build_payload(row)
    step, taken = store.claim(row_id, force=force)
    if taken is None:
        return step, db.session.get(ManagedDOI, row_id)
    try:
        outcome = call(taken)
    except Exception as exc:  # noqa: BLE001 - the gateway classifies; this is a last guard
        log.exception("Unclassified failure calling DataCite for %s", taken.doi, extra={"pid": taken.doi})
        outcome = Outcome(
            kind=OutcomeKind.RETRYABLE,
            operation=taken.operation,
            doi=taken.doi,
            message=f"internal error: {exc!r}",
        )
    return Step.SENT, store.record_outcome(taken, outcome, actor)


def due_rows_query(now: datetime | None = None):
    """Rows the sweep should hand to workers: out of sync, not failed, due, not leased."""
    now = now or utcnow()
    return (
        db.session.query(ManagedDOI.id)
        .filter(
            ManagedDOI.in_sync.is_(False),
            ManagedDOI.failed.is_(False),
            ManagedDOI.next_attempt_at <= now,
        )
        .filter((ManagedDOI.lease_until.is_(None)) | (ManagedDOI.lease_until <= now))
        .order_by(ManagedDOI.next_attempt_at)
    )
