"""Celery app of the demo's (and the soak test's) worker processes: InvenioRDM's, plus the search stand-in.

A worker builds a published DOI's DataCite metadata, and the DataCite serializer
reads the vocabularies' DataCite properties (resource types, title and date
types...) from the search index. Production workers have OpenSearch; here each
worker process gets the stand-in (:func:`invenio_doi_ext.embedded.install_search_standin`)
and, before a task runs, the database's vocabularies whenever their number
changed (the demo creates them after its workers start). Run as
``celery -A invenio_doi_ext.demo.worker_app worker``.
"""

from __future__ import annotations

from typing import Any

from celery.signals import task_prerun
from invenio_app.celery import celery

from ..embedded import index_vocabularies, install_search_standin

_indexed = {"vocabularies": -1}

with celery.flask_app.app_context():
    install_search_standin()


@task_prerun.connect
def _vocabularies_indexed(**_: Any) -> None:
    """Index the vocabularies into this process's stand-in when the database has others."""
    from invenio_db import db
    from invenio_vocabularies.records.api import Vocabulary

    with celery.flask_app.app_context():
        count = Vocabulary.model_cls.query.count()
        if count != _indexed["vocabularies"]:
            index_vocabularies()
            _indexed["vocabularies"] = count
        db.session.remove()


__all__ = ["celery"]
