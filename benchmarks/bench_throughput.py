"""Benchmark 2: throughput at DataCite's rate limit, N worker processes on a real broker.

Ours: ``dois`` rows due for publication (inserted as the request side leaves
them), one ``converge_doi`` task each on RabbitMQ, N solo-pool workers sharing
our limiter in Redis. Upstream: ``records`` publishes through the real service
with upstream's provider, whose ``register_or_update_pid`` tasks (record and
concept DOI) are then consumed by N workers. Same sandbox latency and limit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_instance import (
    REDIS,
    bench_database,
    config,
    create_app,
    delete_queues,
    point_upstream_at,
    queue_length,
    start_sandbox,
    worker_args,
    worker_env,
)
from bench_request import record


def _payload(number: int) -> dict[str, Any]:
    return {
        "creators": [{"name": f"Bench, Row {number}", "nameType": "Personal"}],
        "titles": [{"title": f"Throughput row {number}"}],
        "publisher": {"name": "Example Repository"},
        "publicationYear": "2024",
        "types": {"resourceTypeGeneral": "Dataset"},
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }


def insert_rows(count: int) -> list[int]:
    """Rows that must be published, as a burst of publishes leaves them."""
    from invenio_db import db

    from invenio_doi_ext.lifecycle.models import DOIState, ManagedDOI
    from invenio_doi_ext.metadata.fingerprint import fingerprint

    rows = []
    for number in range(count):
        doi = f"10.5555/tp-{number:06d}"
        url = f"https://demo.example.org/doi/{doi}"
        payload = _payload(number)
        rows.append(ManagedDOI(
            doi=doi, pid_value=doi, kind="record", desired_state=DOIState.FINDABLE, desired_payload=payload,
            desired_url=url, desired_fingerprint=fingerprint(payload, url), remote_state=DOIState.NONE,
            failed=False, attempts=0,
        ))
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def start_workers(count: int, queue: str, env: dict[str, str], logs: Path) -> list[subprocess.Popen]:
    """N workers, returned once each has said it is ready."""
    args = [worker_args(queue, f"bench{n}") for n in range(count)]
    for arg in args:
        arg[arg.index("-l") + 1] = "info"
    workers = [
        subprocess.Popen(arg, env=env, stdout=open(logs / f"w{n}.log", "w"), stderr=subprocess.STDOUT)  # noqa: SIM115
        for n, arg in enumerate(args)
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(" ready." in (logs / f"w{n}.log").read_text() for n in range(count)):
            return workers
        time.sleep(0.5)
    stop(workers)
    raise RuntimeError(f"workers not ready; see {logs}")


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _when(entry: dict[str, Any]) -> float:
    return datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def measure(
    journal: list[dict[str, Any]], stats: dict[str, Any], limit: int, window: float
) -> dict[str, Any]:
    """Achieved rate of accepted requests, as a fraction of the limit; 429s received."""
    accepted = sorted(_when(e) for e in journal if e.get("status") and e["status"] < 400)
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
    rate = (len(accepted) - 1) / span if span else 0.0
    return {
        "accepted": len(accepted), "seconds": round(span, 1), "rate": round(rate, 2),
        "fraction_of_limit": round(rate / (limit / window), 3), "http_429": stats.get("rate_limited", 0),
        "requests": stats.get("requests", 0),
    }


def run(
    provider: str, workers: int, count: int, limit: int, window: float, ours_limit: int
) -> dict[str, Any]:
    """One throughput run; ``count`` DOIs (ours) or publishes (upstream)."""
    from invenio_access.permissions import system_identity
    from invenio_db import db

    ours = provider == "ours"
    queue = f"doi-ext-bench-tp-{uuid.uuid4().hex[:8]}"
    sandbox = start_sandbox(0)
    processes: list[subprocess.Popen] = []
    try:
        with bench_database(f"tp_{provider}_{workers}") as url, tempfile.TemporaryDirectory() as tmp:
            rate = f"{ours_limit} per {window:g} seconds"
            values = config(
                url, sandbox.url, queue, ours=ours, DOI_EXT_RATE_LIMIT=rate, DOI_EXT_RATE_LIMIT_STORAGE=REDIS,
                DOI_EXT_COALESCE_SECONDS=0, DOI_EXT_SWEEP_INTERVAL=3600.0,
            )
            if not ours:
                point_upstream_at(sandbox.url)
            create_app(values, Path(tmp))
            from invenio_doi_ext.datacite.ratelimit import RateLimiter

            RateLimiter(rate, REDIS).clear()
            ids: list[str] = []
            if ours:
                from invenio_doi_ext.lifecycle.enqueue import send

                for row_id in insert_rows(count):
                    send(row_id)
            else:
                from invenio_rdm_records.proxies import current_rdm_records_service as service

                for number in range(count):
                    draft = service.create(system_identity, record(f"tp {number}"))
                    ids.append(service.publish(system_identity, draft.id).data["pids"]["doi"]["identifier"])
            sandbox.control.set_latency(150)
            sandbox.control.set_rate_limit(limit, window)
            sandbox.control.clear_journal()
            processes = start_workers(workers, queue, worker_env(values, Path(tmp), sandbox.url), Path(tmp))
            started = time.monotonic()
            done = False
            while not done and time.monotonic() - started < 1800:
                time.sleep(1.0)
                if ours:
                    from invenio_doi_ext.lifecycle.models import ManagedDOI

                    db.session.expire_all()
                    done = ManagedDOI.query.filter(ManagedDOI.in_sync.is_(False)).count() == 0
                    db.session.commit()
                else:
                    before = len(sandbox.control.journal())
                    if queue_length(queue) == 0:
                        time.sleep(3)  # a task may still be in flight
                        done = len(sandbox.control.journal()) == before
            stop(processes)
            processes = []
            journal, stats = sandbox.control.journal(), sandbox.control.stats()
            result = measure(journal, stats, limit, window)
            held = {d["doi"]: d["state"] for d in sandbox.control.dois()}
            if ours:
                result["lost"] = sum(1 for n in range(count) if held.get(f"10.5555/tp-{n:06d}") != "findable")
            else:
                result["lost"] = sum(1 for doi in ids if held.get(doi.lower()) != "findable")
            result["wall_seconds"] = round(time.monotonic() - started, 1)
    finally:
        stop(processes)
        delete_queues(queue, f"{queue}-other")
        sandbox.stop()
    return {"provider": provider, "workers": workers, "count": count, **result}


if __name__ == "__main__":
    provider, workers, count, limit, window, ours_limit = sys.argv[1:7]
    print(json.dumps(run(provider, int(workers), int(count), int(limit), float(window), int(ours_limit))))
