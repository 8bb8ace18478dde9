"""Celery: copy DataCite outcomes onto DOI requests' timelines.

After every ``converge_doi`` (Celery's ``task_postrun`` signal) for that row, and
from beat for every curated DOI behind, so that nothing is missed if a worker
dies between the call and the copy.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import task_postrun
from flask import has_app_context

from .. import settings
from ..lifecycle.tasks import task_options
from .policy import curation_enabled
from .timeline import publish_outcomes

log = logging.getLogger(__name__)

CONVERGE_TASK = "invenio_doi_ext.lifecycle.tasks.converge_doi"


@shared_task(ignore_result=True)
def publish_doi_outcomes(row_id: int | None = None) -> int:
    """Post new DataCite outcomes on the requests' timelines (all curated DOIs if no row)."""
    if not curation_enabled():
        return 0
    return publish_outcomes(row_id)


def _enabled_for(sender: Any) -> bool:
    if has_app_context():
        return curation_enabled()
    app = getattr(getattr(sender, "app", None), "flask_app", None)
    if app is None:
        return True  # cannot tell here: the task checks again
    return settings.curation_required(app.config) is not False


@task_postrun.connect
def _after_converge(sender: Any = None, args: Any = None, **kwargs: Any) -> None:
    """A convergence attempt ended: its outcome goes on the request's timeline."""
    if getattr(sender, "name", None) != CONVERGE_TASK or not args or not _enabled_for(sender):
        return
    try:
        options = task_options() if has_app_context() else {}
        publish_doi_outcomes.apply_async(args=(args[0],), **options)
    except Exception:  # noqa: BLE001 - beat's run catches up
        log.warning("Could not enqueue the timeline copy of DOI row %s", args[0], exc_info=True)


def beat_entry(config: Any) -> dict:
    """The beat schedule entry: every sweep interval."""
    entry: dict[str, Any] = {
        "task": f"{__name__}.publish_doi_outcomes",
        "schedule": settings.sweep_interval(config),
    }
    queue = settings.task_queue(config)
    if queue:
        entry["options"] = {"queue": queue}
    return entry

