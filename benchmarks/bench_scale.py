"""Benchmark 4: the lifecycle table at 1,000,000 rows on PostgreSQL.

Rows are bulk-loaded with COPY: 98% in sync (findable), 1.5% out of sync (half
due, half backing off), 0.5% failed. Timed: the sweep's due-row query (as
``tasks.sweep`` runs it, batch 500) and the out-of-sync listing of
``invenio doi list --out-of-sync``, each with its ``EXPLAIN ANALYZE`` plan.
Then peak memory (tracemalloc) of the real ``invenio doi verify`` command over
100,000 and 10,000 rows, with a gateway stand-in answering each read from
memory (no HTTP: what is measured is the command's own memory as rows grow).
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench_instance import bench_database, config, create_app, start_sandbox

from invenio_doi_ext.metadata.fingerprint import fingerprint


def payload(number: int) -> dict[str, Any]:
    """A realistic DataCite payload (~0.5 kB), distinct per row."""
    return {
        "creators": [{"name": f"Scale, Author {number}", "nameType": "Personal", "affiliation": []}],
        "titles": [{"title": f"Dataset number {number} of the scale benchmark"}],
        "publisher": {"name": "Example Repository"},
        "publicationYear": "2024",
        "types": {"resourceTypeGeneral": "Dataset"},
        "descriptions": [{"description": "Measurements and scripts.", "descriptionType": "Abstract"}],
        "subjects": [], "fundingReferences": [], "relatedIdentifiers": [],
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }


def kind_of(number: int) -> str:
    """in_sync / due / waiting / failed, by row number."""
    slot = number % 1000
    return "failed" if slot < 5 else "due" if slot < 12 else "waiting" if slot < 20 else "in_sync"


def doi_of(number: int) -> str:
    return f"10.5555/scale-{number:07d}"


def _rows(start: int, stop: int, now: datetime) -> str:
    lines = []
    for n in range(start, stop):
        doi, kind = doi_of(n), kind_of(n)
        url = f"https://demo.example.org/doi/{doi}"
        body = payload(n)
        fp = fingerprint(body, url)
        synced = kind == "in_sync"
        remote = ("findable", fp, url) if synced else ("none", "\\N", "\\N")
        when = now + timedelta(hours=1) if kind == "waiting" else now - timedelta(minutes=5)
        lines.append("\t".join([
            doi, doi, "record", "findable", json.dumps(body).replace("\\", "\\\\"), url, fp, *remote,
            "t" if synced else "f", "t" if kind == "failed" else "f", "3" if kind == "waiting" else "0",
            when.isoformat(sep=" "), now.isoformat(sep=" "), now.isoformat(sep=" "), "1",
        ]))
    return "\n".join(lines) + "\n"


COLUMNS = (
    "doi, pid_value, kind, desired_state, desired_payload, desired_url, desired_fingerprint, remote_state, "
    "remote_fingerprint, remote_url, in_sync, failed, attempts, next_attempt_at, created, updated, version_id"
)


def load(rows: int) -> float:
    """COPY ``rows`` rows into doi_ext_dois; seconds taken."""
    from invenio_db import db

    from invenio_doi_ext.lifecycle.models import utcnow

    started = time.perf_counter()
    now = utcnow()
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for start in range(0, rows, 50_000):
            chunk = io.StringIO(_rows(start, min(start + 50_000, rows), now))
            cursor.copy_expert(f"COPY doi_ext_dois ({COLUMNS}) FROM STDIN", chunk)
        connection.commit()
        cursor.execute("ANALYZE doi_ext_dois")
        connection.commit()
    finally:
        connection.close()
    return time.perf_counter() - started


def timed_query(query: Any, repeat: int = 5) -> dict[str, Any]:
    """Median time of fetching every row of ``query``, and its EXPLAIN ANALYZE plan."""
    from invenio_db import db

    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = len(query.all())
        times.append((time.perf_counter() - started) * 1000.0)
        db.session.rollback()
    sql = str(query.statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    plan = [line for (line,) in db.session.execute(db.text("EXPLAIN ANALYZE " + sql))]
    db.session.rollback()
    return {"rows": count, "median_ms": round(statistics.median(times), 2), "plan": plan, "sql": sql}


class MemoryGateway:
    """Answers ``get`` as DataCite would for the loaded rows, without HTTP."""

    def get(self, doi: str) -> Any:
        from invenio_doi_ext.datacite.outcome import Outcome, OutcomeKind

        number = int(doi.rsplit("-", 1)[1])
        if kind_of(number) != "in_sync":
            return Outcome(OutcomeKind.SUCCESS, "get", doi, status=404, found=False)
        url = f"https://demo.example.org/doi/{doi}"
        return Outcome(OutcomeKind.SUCCESS, "get", doi, status=200, state="findable", url=url,
                       attributes=payload(number))


def verify_peak(app: Any) -> dict[str, Any]:
    """Peak traced memory and time of ``invenio doi verify`` over every row left."""
    from unittest import mock

    from invenio_doi_ext.cli.steering import verify_cmd
    from invenio_doi_ext.lifecycle.models import ManagedDOI

    rows = ManagedDOI.query.count()
    runner = app.test_cli_runner()
    with mock.patch("invenio_doi_ext.cli.steering.current_gateway", return_value=MemoryGateway()):
        tracemalloc.start()
        started = time.perf_counter()
        result = runner.invoke(verify_cmd, [])
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"rows": rows, "peak_mib": round(peak / 2**20, 2), "seconds": round(seconds, 1),
            "exit": result.exit_code, "summary": result.output.strip().splitlines()[-1:]}


def run(rows: int, verify_sizes: list[int]) -> dict[str, Any]:
    """Load, time the two queries, measure verify's memory at each size (largest first)."""
    from invenio_db import db

    from invenio_doi_ext.lifecycle.converge import due_rows_query
    from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow
    from invenio_doi_ext.services import queries

    sandbox = start_sandbox(0)
    try:
        with bench_database("scale") as url, tempfile.TemporaryDirectory() as tmp:
            app, _ = create_app(config(url, sandbox.url, "doi-ext-bench-scale", ours=True), Path(tmp))
            result: dict[str, Any] = {"rows": rows, "load_seconds": round(load(rows), 1)}
            now = utcnow()
            recently = now - timedelta(seconds=60)
            sweep = (
                due_rows_query(now)
                .filter((ManagedDOI.queued_at.is_(None)) | (ManagedDOI.queued_at <= recently))
                .limit(500)
            )
            result["sweep_due_query"] = timed_query(sweep)
            result["list_out_of_sync"] = timed_query(queries.list_query(queries.RowFilter(out_of_sync=True)))
            result["verify"] = []
            for size in sorted(verify_sizes, reverse=True):
                db.session.execute(db.text("DELETE FROM doi_ext_dois WHERE id > :n"), {"n": size})
                db.session.commit()
                result["verify"].append(verify_peak(app))
            db.session.remove()
    finally:
        sandbox.stop()
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]), [int(n) for n in sys.argv[2].split(",")])))
