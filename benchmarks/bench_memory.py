"""Benchmark 6: memory of a long-lived web process, ours vs upstream.

One child process per provider serves publish, edit (and republish) and
tombstone requests through the real records service, one after the other,
each record going through all three, and reports its resident set size (RSS,
after a garbage collection) at each checkpoint. Between requests the database
session is removed, as Flask does at the end of every request. The sandbox runs
in a process of its own, so that what it keeps (its DOIs, its journal) is not
counted. Celery is not eager and nobody consumes the queue, as for the request
benchmark. ``--trace`` adds ``tracemalloc`` snapshots, to name the lines whose
allocations grow between the first checkpoint and the last (slower).
"""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

from bench_instance import bench_database, config, create_app, delete_queues, point_upstream_at
from bench_request import record


def start_sandbox_process() -> tuple[subprocess.Popen, str]:
    """The sandbox in a process of its own, with the demo's account."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "invenio_doi_ext.sandbox", "--port", str(port), "--prefix", "10.5555",
         "--username", "DEMO.REPOSITORY", "--password", "demo-password"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}/"
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the sandbox did not start")


def rss_mib() -> float:
    """Resident set size of this process now, after a full collection."""
    import psutil

    gc.collect()
    return round(psutil.Process().memory_info().rss / 2**20, 1)


def top_growth(first: tracemalloc.Snapshot, last: tracemalloc.Snapshot, limit: int = 15) -> list[str]:
    """The lines whose live allocations grew most between two snapshots."""
    stats = last.compare_to(first, "lineno")
    return [f"{stat.size_diff / 2**20:+.2f} MiB ({stat.count_diff:+d} blocks) {stat.traceback[0]}"
            for stat in stats[:limit]]


def run(provider: str, checkpoints: list[int], trace: bool) -> dict[str, Any]:
    """RSS at each checkpoint of publish/edit/tombstone requests."""
    from invenio_access.permissions import system_identity
    from invenio_db import db
    from invenio_rdm_records.proxies import current_rdm_records_service as service

    ours = provider == "ours"
    queue = f"doi-ext-bench-mem-{uuid.uuid4().hex[:8]}"
    sandbox, sandbox_url = start_sandbox_process()
    samples: list[dict[str, Any]] = []
    snapshots: list[tracemalloc.Snapshot] = []
    started = time.monotonic()
    try:
        with bench_database(f"mem_{provider}") as url, tempfile.TemporaryDirectory() as tmp:
            if not ours:
                point_upstream_at(sandbox_url)
            create_app(config(url, sandbox_url, queue, ours=ours), Path(tmp))
            if trace:
                tracemalloc.start(1)
            done, number, baseline = 0, 0, None
            while done < checkpoints[-1]:
                number += 1
                draft = service.create(system_identity, record(str(number)))
                published = service.publish(system_identity, draft.id)
                edit = service.edit(system_identity, published.id)
                data = dict(edit.data)
                data["metadata"] = {**data["metadata"], "title": f"Benchmark record {number}, edited"}
                service.update_draft(system_identity, published.id, data)
                service.publish(system_identity, published.id)
                service.delete_record(system_identity, published.id, {})
                db.session.remove()  # what Flask does when a request ends
                for _ in range(3):
                    done += 1
                    if baseline is None and done >= 30:
                        baseline = rss_mib()
                    if done in checkpoints:
                        samples.append({"operations": done, "rss_mib": rss_mib(),
                                        "seconds": round(time.monotonic() - started)})
                        print(json.dumps(samples[-1]), file=sys.stderr, flush=True)  # progress
                        if trace:
                            snapshots.append(tracemalloc.take_snapshot())
    finally:
        delete_queues(queue, f"{queue}-other")
        sandbox.terminate()
        sandbox.wait(timeout=30)
    result: dict[str, Any] = {"provider": provider, "baseline_mib": baseline, "samples": samples,
                              "pid": os.getpid()}
    if trace and len(snapshots) >= 2:
        result["growth"] = top_growth(snapshots[0], snapshots[-1])
    return result


if __name__ == "__main__":
    points = [int(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else [1000, 5000]
    print(json.dumps(run(sys.argv[1], sorted(points), "--trace" in sys.argv[3:])))
