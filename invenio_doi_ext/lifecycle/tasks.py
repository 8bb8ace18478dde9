"""Celery tasks: converge one row, and the periodic sweep.

Both take only ids and re-read everything from the database, so running them
twice, late, or after a crash is harmless.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from flask import has_app_context
from invenio_db import db

from .. import settings
from . import breaker, store
from .converge import converge, due_rows_query
from .models import DOISyncJob, ManagedDOI, utcnow
from .plan import Step
from .states import dspace_state, status_label


def task_options() -> dict:
    """Route the lifecycle's tasks to ``DOI_EXT_TASK_QUEUE`` when one is configured."""
    queue = settings.task_queue() if has_app_context() else None
    return {"queue": queue} if queue else {}


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def converge_doi(row_id: int) -> str:
    """Make DataCite hold what the row says; reschedule while it is not in sync."""
    step, row = converge(row_id)
    if step == Step.SENT and row is not None and not row.in_sync and not row.failed:
        delay = max((row.next_attempt_at - utcnow()).total_seconds(), 0.0)
        if delay <= _sweep_seconds() * 10:
            converge_doi.apply_async(args=(row_id,), countdown=delay or None, **task_options())
    return step.value


@shared_task(ignore_result=True)
def sweep(batch: int | None = None) -> int:
    """Enqueue due, out-of-sync rows (bounded): recovers lost messages and crashed workers.

    Rows of an account whose breaker is open are left for later, so that they do not
    fill the batch while other accounts' rows wait.
    """
    batch = batch or settings.sweep_batch()
    now = utcnow()
    recently = now - timedelta(seconds=_sweep_seconds())
    query = due_rows_query(now).filter(
        (ManagedDOI.queued_at.is_(None)) | (ManagedDOI.queued_at <= recently)
    )
    paused = breaker.paused_accounts(now)
    if paused:
        query = query.filter(ManagedDOI.account.notin_(paused))
    ids = [row_id for (row_id,) in query.limit(batch)]
    store.mark_queued(ids, now)
    db.session.commit()
    for row_id in ids:
        converge_doi.apply_async(args=(row_id,), **task_options())
    return len(ids)


def _sweep_seconds() -> float:
    return settings.sweep_interval().total_seconds()


# -- asynchronous sync jobs of the REST API -----------------------------------------

#: A job still "running" after this long lost its worker; it may be run again.
JOB_STALE_SECONDS = 900.0


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def run_sync_job(job_id: int) -> str:
    """Run one REST sync job: a forced convergence attempt, its outcome kept on the job."""
    if not _start_job(job_id):
        return "skipped"
    job = db.session.get(DOISyncJob, job_id)
    try:
        step, row = converge(job.doi_id, actor=job.actor, force=True)
        result = job_result(step, row)
    except Exception as exc:  # noqa: BLE001 - the job must end, whatever happened
        db.session.rollback()
        result = {"step": "error", "in_sync": False, "message": f"internal error: {exc!r}"}
    job = db.session.query(DOISyncJob).filter(DOISyncJob.id == job_id).with_for_update().one()
    job.result = result
    job.status = DOISyncJob.SUCCEEDED if result.get("in_sync") else DOISyncJob.FAILED
    job.finished = utcnow()
    db.session.commit()
    return job.status


def _start_job(job_id: int) -> bool:
    """Mark a pending (or abandoned) job running; False if another worker has it."""
    job = (
        db.session.query(DOISyncJob)
        .filter(DOISyncJob.id == job_id)
        .with_for_update(skip_locked=True)
        .one_or_none()
    )
    now = utcnow()
    stale = now - timedelta(seconds=JOB_STALE_SECONDS)
    runnable = job is not None and (
        job.status == DOISyncJob.PENDING
        or (job.status == DOISyncJob.RUNNING and job.started is not None and job.started < stale)
    )
    if runnable:
        job.status = DOISyncJob.RUNNING
        job.started = now
    db.session.commit()
    return runnable


def job_result(step: Step, row: ManagedDOI | None) -> dict:
    """What a finished job reports: the attempt's step and the row as it was left."""
    if row is None:
        return {"step": step.value, "in_sync": False, "message": "the DOI is no longer managed"}
    message = row.last_error if (row.failed or not row.in_sync) else None
    if step == Step.PAUSED:
        until = breaker.paused_until(account=row.account)
        when = until.isoformat() if until else "now"
        message = f"calls to DataCite of account {row.account!r} are paused until {when}"
    elif step == Step.SKIPPED and not row.in_sync and not row.failed:
        message = "another worker holds this DOI; read its status again shortly"
    return {
        "step": step.value,
        "in_sync": bool(row.in_sync and not row.failed),
        "failed": row.failed,
        "label": status_label(row),
        "dspace_state": dspace_state(row),
        "desired_state": row.desired_state,
        "remote_state": row.remote_state,
        "http_status": row.last_status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "message": message,
    }
