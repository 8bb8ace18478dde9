"""The monitoring beat task: compact the metrics' summary, then maybe send the digest."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from invenio_db import db

from . import digest, summary

TASK_NAME = "invenio_doi_ext.monitoring.tasks.tick"


@shared_task(ignore_result=True)
def tick() -> str:
    """Every ``DOI_EXT_SWEEP_INTERVAL``: a few hundred summary rows folded, the digest's look."""
    summary.compact()
    db.session.commit()
    return digest.tick()


def beat_entry(config: Any, interval: Any) -> dict[str, Any]:
    """The beat schedule entry, on the lifecycle's queue when one is configured."""
    entry: dict[str, Any] = {"task": TASK_NAME, "schedule": interval}
    if config.get("DOI_EXT_TASK_QUEUE"):
        entry["options"] = {"queue": config["DOI_EXT_TASK_QUEUE"]}
    return entry
