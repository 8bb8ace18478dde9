"""Celery tasks: converge one row, and the periodic sweep.

Both take only ids and re-read everything from the database, so running them
twice, late, or after a crash is harmless.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from flask import current_app
from invenio_db import db

from .converge import Step, converge, due_rows_query
from .models import ManagedDOI, utcnow


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def converge_doi(row_id: int) -> str:
    """Make DataCite hold what the row says; reschedule while it is not in sync."""
    step, row = converge(row_id)
    if step == Step.SENT and row is not None and not row.in_sync and not row.failed:
        delay = max((row.next_attempt_at - utcnow()).total_seconds(), 0.0)
        if delay <= _sweep_seconds() * 10:
            converge_doi.apply_async(args=(row_id,), countdown=delay or None)
    return step.value


@shared_task(ignore_result=True)
def sweep(batch: int | None = None) -> int:
    """Enqueue due, out-of-sync rows (bounded): recovers lost messages and crashed workers."""
    batch = batch or int(current_app.config.get("DOI_EXT_SWEEP_BATCH", 500))
    now = utcnow()
    recently = now - timedelta(seconds=_sweep_seconds())
    ids = [
        row_id
        for (row_id,) in due_rows_query(now)
        .filter((ManagedDOI.queued_at.is_(None)) | (ManagedDOI.queued_at <= recently))
        .limit(batch)
    ]
    if ids:
        db.session.query(ManagedDOI).filter(ManagedDOI.id.in_(ids)).update(
            {ManagedDOI.queued_at: now}, synchronize_session=False
        )
    db.session.commit()
    for row_id in ids:
        converge_doi.apply_async(args=(row_id,))
    return len(ids)


def _sweep_seconds() -> float:
    interval = current_app.config.get("DOI_EXT_SWEEP_INTERVAL", timedelta(seconds=60))
    return interval.total_seconds() if isinstance(interval, timedelta) else float(interval)
