"""Asynchronous sync jobs: created by the API, run by a Celery worker, read by token.

Synapse's pattern: the POST answers at once with a job URL; the job URL answers
202 while the job waits or runs and 200 with the outcome once it is done. Jobs
live in a table because the worker and the web process are different processes.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from invenio_db import db

from .. import settings
from ..lifecycle.models import DOISyncJob, ManagedDOI, utcnow
from .serialize import api_url, iso

log = logging.getLogger(__name__)

#: Tokens this module issues (``secrets.token_urlsafe(18)``: 24 characters).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

#: Most expired jobs deleted per new job, so creating a job stays cheap.
PURGE_BATCH = 500


def ttl() -> timedelta:
    """How long a job's outcome stays readable (``DOI_EXT_JOB_TTL``, default one day)."""
    return settings.job_ttl()


def purge() -> int:
    """Delete jobs that expired more than one TTL ago (until then they answer 410).

    The deleted jobs also leave the session (``synchronize_session="fetch"``): a
    deleted job left in the identity map would collide with a new job given the
    same id, which SQLite hands out again once the highest id is gone.
    """
    cutoff = utcnow() - ttl()
    ids = (
        db.session.query(DOISyncJob.id)
        .filter(DOISyncJob.expires_at < cutoff)
        .limit(PURGE_BATCH)
        .scalar_subquery()
    )
    return db.session.query(DOISyncJob).filter(DOISyncJob.id.in_(ids)).delete(synchronize_session="fetch")


def create(row: ManagedDOI, actor: str, operation: str) -> DOISyncJob:
    """A pending job converging ``row``; the caller commits, then calls :func:`dispatch`."""
    purge()
    now = utcnow()
    job = DOISyncJob(
        token=secrets.token_urlsafe(18),
        doi_id=row.id,
        operation=operation,
        actor=actor,
        status=DOISyncJob.PENDING,
        created=now,
        expires_at=now + ttl(),
    )
    db.session.add(job)
    db.session.flush()
    return job


def dispatch(job_id: int) -> None:
    """Hand a committed job to Celery; a broker failure ends the job as failed."""
    from ..lifecycle.tasks import run_sync_job, task_options

    try:
        run_sync_job.apply_async(args=(job_id,), **task_options())
    except Exception as exc:  # noqa: BLE001 - any broker error
        log.warning("Could not enqueue DOI sync job %s", job_id, exc_info=True)
        db.session.rollback()
        job = db.session.get(DOISyncJob, job_id)
        if job is not None and job.status == DOISyncJob.PENDING:
            job.status = DOISyncJob.FAILED
            job.finished = utcnow()
            job.result = {"step": "error", "in_sync": False, "message": f"could not enqueue: {exc}"}
            db.session.commit()


def get(token: str) -> DOISyncJob | None:
    """The job with this token, or None (also for tokens that cannot be ours)."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    return db.session.query(DOISyncJob).filter(DOISyncJob.token == token).one_or_none()


def is_expired(job: DOISyncJob) -> bool:
    """Past its TTL: the outcome is no longer served."""
    return job.expires_at <= utcnow()


def job_url(token: str) -> str:
    """The absolute URL of a job."""
    return api_url(f"/dois/jobs/{token}")


def view(job: DOISyncJob) -> dict[str, Any]:
    """The JSON of a job: its status, and its outcome once finished."""
    data: dict[str, Any] = {
        "id": job.token,
        "operation": job.operation,
        "doi": job.doi.doi if job.doi is not None else None,
        "status": job.status,
        "created": iso(job.created),
        "started": iso(job.started),
        "finished": iso(job.finished),
        "expires_at": iso(job.expires_at),
        "links": {"self": job_url(job.token)},
    }
    if job.doi is not None:
        from .serialize import doi_links

        data["links"]["doi"] = doi_links(job.doi.doi)["self"]
    if job.status in DOISyncJob.FINISHED:
        data["result"] = job.result
    return data
