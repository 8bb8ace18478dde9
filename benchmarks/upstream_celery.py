"""Celery app of the benchmarks' worker processes: ``celery -A upstream_celery worker``.

The InvenioRDM Celery app, with upstream's DataCite client pointed at the sandbox
(``BENCH_SANDBOX_URL``; see ``bench_instance.point_upstream_at``) and the search
stand-in installed (no OpenSearch on the benchmark machine), holding the
vocabularies of the database: the DataCite serializer (upstream's task, and ours
when a worker builds a published DOI's payload) reads resource types from the index.
"""

from __future__ import annotations

import os

from bench_instance import point_upstream_at
from invenio_app.celery import celery

from invenio_doi_ext.embedded import index_vocabularies, install_search_standin

point_upstream_at(os.environ["BENCH_SANDBOX_URL"])


with celery.flask_app.app_context():
    install_search_standin()
    index_vocabularies()

__all__ = ["celery"]
