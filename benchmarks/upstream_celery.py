"""Celery app of the benchmarks' worker processes: ``celery -A upstream_celery worker``.

The InvenioRDM Celery app, with upstream's DataCite client pointed at the sandbox
(``BENCH_SANDBOX_URL``; see ``bench_instance.point_upstream_at``) and the search
stand-in installed (no OpenSearch on the benchmark machine), holding the
vocabularies of the database: upstream's DataCite serializer reads resource
types from the index. This package's own tasks use neither.
"""

from __future__ import annotations

import os

from bench_instance import index_vocabularies, point_upstream_at
from invenio_app.celery import celery

from invenio_doi_ext.embedded import install_search_standin

point_upstream_at(os.environ["BENCH_SANDBOX_URL"])


with celery.flask_app.app_context():
    install_search_standin()
    index_vocabularies()

__all__ = ["celery"]
