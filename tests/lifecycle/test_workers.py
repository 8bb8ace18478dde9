"""Real Celery workers (processes) on a real broker: no row is ever sent twice.

Two workers take the same 200 rows, each enqueued twice (as the per-event task
and the sweep would), on PostgreSQL. ``FOR UPDATE SKIP LOCKED`` plus the lease
must let exactly one call through per row.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from typing import Any

import pytest
from celery import Celery
from tests_support import broker_for_workers

from invenio_doi_ext.lifecycle.models import DOIEvent, DOIState, ManagedDOI
from invenio_doi_ext.metadata.fingerprint import fingerprint

pytestmark = [pytest.mark.worker, pytest.mark.postgresql]

ROWS = 200


def worker_environment(db_uri: str, broker: str, sandbox_url: str, instance_path: str) -> dict[str, str]:
    """Configuration of a worker's Invenio app, as INVENIO_* variables (the demo's conversion)."""
    from pathlib import Path

    from invenio_doi_ext.demo.instance import worker_environment as as_environment

    config = {
        "SQLALCHEMY_DATABASE_URI": db_uri,
        "CELERY_BROKER_URL": broker,
        "BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": "cache",
        "CELERY_CACHE_BACKEND": "memory",
        "CACHE_TYPE": "SimpleCache",
        "COMMUNITIES_IDENTITIES_CACHE_HANDLER": "invenio_doi_ext.embedded:MemoryIdentityCache",
        "SECRET_KEY": "worker-test",
        "SITE_UI_URL": "https://repo.example.org",
        "DATACITE_ENABLED": True,
        "DATACITE_USERNAME": "sandbox",
        "DATACITE_PASSWORD": "sandbox",
        "DATACITE_PREFIX": "10.1234",
        "DOI_EXT_DATACITE_URL": sandbox_url,
        "DOI_EXT_RATE_LIMIT": "10000 per 1 second",
        "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",
        "DOI_EXT_HTTP_TIMEOUT": (2.0, 5.0),
    }
    return as_environment(config, Path(instance_path))


def start_worker(env: dict[str, str], queue: str, name: str, log_path: str) -> subprocess.Popen:
    """One worker process (solo pool) consuming only this test's queue."""
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "invenio_app.celery", "worker",
            "-Q", queue, "-n", f"{name}@%h", "--pool", "solo", "-l", "warning",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _payload(number: int) -> dict[str, Any]:
    return {
        "creators": [{"name": f"Worker, Test {number}", "nameType": "Personal"}],
        "titles": [{"title": f"Race row {number}"}],
        "publisher": {"name": "Example Repository"},
        "publicationYear": "2024",
        "types": {"resourceTypeGeneral": "Dataset"},
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }


@pytest.fixture
def due_rows(database):
    """200 committed rows that must be published (not inside a test transaction)."""
    session = database.session
    ids = []
    for number in range(ROWS):
        doi = f"10.1234/race-{uuid.uuid4().hex[:10]}"
        url = f"https://repo.example.org/doi/{doi}"
        payload = _payload(number)
        row = ManagedDOI(
            doi=doi, pid_value=doi, kind="record", desired_state=DOIState.FINDABLE,
            desired_payload=payload, desired_url=url, desired_fingerprint=fingerprint(payload, url),
            remote_state=DOIState.NONE, failed=False, attempts=0,
        )
        session.add(row)
        session.flush()
        ids.append(row.id)
    session.commit()
    yield ids
    DOIEvent.query.filter(DOIEvent.doi_id.in_(ids)).delete(synchronize_session=False)
    ManagedDOI.query.filter(ManagedDOI.id.in_(ids)).delete(synchronize_session=False)
    session.commit()


def test_two_workers_send_each_row_exactly_once(app, database, due_rows, datacite_sandbox, instance_path):
    broker = broker_for_workers()
    queue = f"doi-ext-race-{uuid.uuid4().hex[:8]}"
    db_uri = app.config["SQLALCHEMY_DATABASE_URI"]
    env = worker_environment(db_uri, broker, datacite_sandbox.url, instance_path)
    workers = [
        start_worker(env, queue, f"racer{n}", os.path.join(instance_path, f"worker{n}.log")) for n in (1, 2)
    ]
    # set_as_current=False: a producer made current would become every later
    # test's Celery app (the indexer would then publish to RabbitMQ).
    producer = Celery(broker=broker, set_as_current=False)
    try:
        for row_id in due_rows + due_rows:  # every row twice: the event's task and the sweep's
            producer.send_task("invenio_doi_ext.lifecycle.tasks.converge_doi", args=(row_id,), queue=queue)

        deadline = time.monotonic() + 180
        remaining = ROWS
        while time.monotonic() < deadline:
            database.session.expire_all()
            remaining = ManagedDOI.query.filter(
                ManagedDOI.id.in_(due_rows), ManagedDOI.in_sync.is_(False)
            ).count()
            if remaining == 0:
                break
            assert all(w.poll() is None for w in workers), "a worker died; see its log in instance_path"
            time.sleep(0.5)
        assert remaining == 0, f"{remaining} rows not converged in time"
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        producer.close()

    dois = {row.doi for row in ManagedDOI.query.filter(ManagedDOI.id.in_(due_rows))}
    puts = Counter(
        entry["path"][len("/dois/"):].lower()
        for entry in datacite_sandbox.control.journal()
        if entry["method"] == "PUT"
    )
    assert {doi: puts[doi] for doi in dois} == {doi: 1 for doi in dois}
    events = DOIEvent.query.filter(DOIEvent.doi_id.in_(due_rows), DOIEvent.action == "call")
    calls = Counter(event.doi_id for event in events)
    assert set(calls.values()) == {1} and len(calls) == ROWS
    assert {state for (state,) in database.session.query(ManagedDOI.remote_state).filter(
        ManagedDOI.id.in_(due_rows))} == {DOIState.FINDABLE}
