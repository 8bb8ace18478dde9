"""Adding a periodic task to Celery beat from an extension's ``init_app``.

Extensions are initialised in no fixed order: invenio-celery may already have
copied ``CELERY_BEAT_SCHEDULE`` into its Celery app, so an entry is written to
both. An operator's own entry of the same name wins (``setdefault``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask


def add_beat_entry(app: Flask, name: str, entry: dict[str, Any]) -> None:
    """Schedule ``entry`` as ``name`` unless the configuration already names it."""
    schedule = dict(app.config.get("CELERY_BEAT_SCHEDULE") or {})
    schedule.setdefault(name, entry)
    app.config["CELERY_BEAT_SCHEDULE"] = schedule
    celery_ext = app.extensions.get("invenio-celery")
    if celery_ext is not None and celery_ext.celery is not None:
        celery_ext.celery.conf.beat_schedule.setdefault(name, schedule[name])
