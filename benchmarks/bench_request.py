"""Benchmark 1: request-path cost of publish, tombstone and restore, ours vs upstream.

One child process per (provider, latency): its own database, app and sandbox.
``serve`` runs one in lockstep with another (``benchmarks/lockstep.py``): ours and
upstream then take turns, one operation each, so that both see the same load.
Celery is not eager and nobody consumes the queue, so what is timed is what a
web request waits for. Between the timed phases DataCite is brought up to date
with latency 0 (ours: the convergence step in-process; upstream: its
``register_or_update_pid`` task run in-process), so that tombstone and restore
act on registered DOIs as in production.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench_instance import bench_database, config, create_app, delete_queues, point_upstream_at, start_sandbox


def record(label: str) -> dict[str, Any]:
    """A public dataset the service accepts and DataCite can register."""
    return {
        "pids": {},
        "access": {"record": "public", "files": "public"},
        "files": {"enabled": False},
        "metadata": {
            "publication_date": "2024-06-01",
            "resource_type": {"id": "dataset"},
            "creators": [
                {"person_or_org": {"family_name": "Brown", "given_name": "Troy", "type": "personal"}}
            ],
            "title": f"Benchmark record {label}",
            "publisher": "Example Repository",
        },
    }


def settle(ours: bool, ids: list[str], service: Any) -> None:
    """Bring DataCite up to date, as workers would have done between the requests."""
    from invenio_access.permissions import system_identity
    from invenio_db import db

    if ours:
        from invenio_doi_ext.lifecycle.converge import converge
        from invenio_doi_ext.lifecycle.models import ManagedDOI

        for (row_id,) in db.session.query(ManagedDOI.id).filter(ManagedDOI.in_sync.is_(False)).all():
            converge(row_id, force=True)
        return
    from invenio_rdm_records.services.pids.tasks import register_or_update_pid

    for recid in ids:
        register_or_update_pid(recid, "doi")
        register_or_update_pid(recid, "doi", parent=True)
    service.read(system_identity, ids[0])


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000.0


@contextmanager
def instance(provider: str, latency: float, label: str) -> Iterator[tuple[Any, Any]]:
    """A warmed-up instance of ``provider`` with its own database, queue and sandbox.

    Yields the records service and the sandbox (at ``latency``); the queues and the
    sandbox go when it ends, the database with ``bench_database``.
    """
    from invenio_access.permissions import system_identity
    from invenio_rdm_records.proxies import current_rdm_records_service as service

    ours = provider == "ours"
    queue = f"doi-ext-bench-req-{uuid.uuid4().hex[:8]}"
    sandbox = start_sandbox(0)
    database = f"{label}_{provider}_{int(latency)}"
    try:
        with bench_database(database) as url, tempfile.TemporaryDirectory() as tmp:
            if not ours:
                point_upstream_at(sandbox.url)
            create_app(config(url, sandbox.url, queue, ours=ours), Path(tmp))
            warm = service.create(system_identity, record("warm-up"))
            service.publish(system_identity, warm.id)
            sandbox.control.set_latency(latency)
            yield service, sandbox
    finally:
        delete_queues(queue, f"{queue}-other")
        sandbox.stop()


def run(provider: str, latency: float, count: int) -> dict[str, Any]:
    """Timings (ms) of ``count`` publishes, tombstones and restores."""
    from invenio_access.permissions import system_identity

    ours = provider == "ours"
    times: dict[str, list[float]] = {"publish": [], "delete_record": [], "restore": []}
    with instance(provider, latency, "req") as (service, sandbox):
        ids = []
        for number in range(count):
            draft = service.create(system_identity, record(str(number)))
            publish = lambda d=draft: ids.append(service.publish(system_identity, d.id).id)  # noqa: E731
            times["publish"].append(timed(publish))
        sandbox.control.set_latency(0)
        settle(ours, ids, service)
        sandbox.control.set_latency(latency)
        for recid in ids:
            tombstone = lambda r=recid: service.delete_record(system_identity, r, {})  # noqa: E731
            times["delete_record"].append(timed(tombstone))
        sandbox.control.set_latency(0)
        if ours:
            settle(ours, [], service)
        sandbox.control.set_latency(latency)
        for recid in ids:
            times["restore"].append(timed(lambda r=recid: service.restore_record(system_identity, r)))
        calls = len(sandbox.control.journal())
    return {"provider": provider, "latency": latency, "times": times, "datacite_requests": calls}


def serve(provider: str, latency: float) -> None:
    """Lockstep mode: set up, then time one operation per command read from stdin.

    Commands (one per line): ``publish``, ``delete_record N``, ``restore N`` (the
    N-th record published), ``settle`` (DataCite brought up to date at latency 0;
    ``settle lifecycle``: ours only, as ``run`` does before the restores), ``quit``.
    Each answer is one JSON line on stdout; everything else the application
    prints goes to stderr.
    """
    from invenio_access.permissions import system_identity

    answers = sys.stdout
    sys.stdout = sys.stderr
    ours = provider == "ours"

    def answer(**values: Any) -> None:
        answers.write(json.dumps(values) + "\n")
        answers.flush()

    with instance(provider, latency, "step") as (service, sandbox):
        ids: list[str] = []
        answer(ready=True)
        for line in sys.stdin:
            command, *args = line.split()
            if command == "publish":
                draft = service.create(system_identity, record(str(len(ids))))
                answer(ms=timed(lambda d=draft: ids.append(service.publish(system_identity, d.id).id)))
            elif command == "delete_record":
                recid = ids[int(args[0])]
                answer(ms=timed(lambda r=recid: service.delete_record(system_identity, r, {})))
            elif command == "restore":
                recid = ids[int(args[0])]
                answer(ms=timed(lambda r=recid: service.restore_record(system_identity, r)))
            elif command == "settle":
                # As in ``run``: after the tombstones only ours has rows to converge.
                if ours or args != ["lifecycle"]:
                    sandbox.control.set_latency(0)
                    settle(ours, ids if args != ["lifecycle"] else [], service)
                    sandbox.control.set_latency(latency)
                answer(done=True)
            else:
                answer(datacite_requests=len(sandbox.control.journal()))
                break


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], float(sys.argv[3]))
    else:
        print(json.dumps(run(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))))
