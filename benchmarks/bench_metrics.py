"""Benchmark: the cost of one metrics scrape at 100,000 and at 1,000,000 DOIs (PostgreSQL).

``python benchmarks/bench_metrics.py [--small 100000] [--large 1000000]``

Rows are bulk-loaded with ``INSERT ... SELECT generate_series`` through the real
triggers (the maintained summary grows by one row per DOI), then the summary is
compacted twice as two monitoring beat ticks do, autovacuum running between them
(without it, a scan of the summary walks the pages the load's rows left behind).
Measured side by side, median of seven scrapes each: ``summary.collect()`` as
``/api/dois/metrics`` runs it (the summary and two index probes), and the
baseline that counts the table itself (``collect(from_table=True)``, a GROUP BY
over every row). Printed: each median, the ratio large/small of each (1.0 means
"does not grow with the table"), and ours against the baseline at each size.
Also the plans of the two age probes. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_instance import bench_database, config, create_app, start_sandbox

SEED = """
INSERT INTO doi_ext_dois (doi, pid_value, kind, desired_state, remote_state, desired_fingerprint,
    remote_fingerprint, in_sync, failed, attempts, next_attempt_at, created, updated, desired_changed,
    version_id)
SELECT '10.5555/bench-' || g, '10.5555/BENCH-' || g, 'record',
    CASE WHEN g % 1000 = 999 THEN 'draft' ELSE 'findable' END,
    CASE WHEN g % 1000 < 15 THEN 'none' WHEN g % 1000 = 999 THEN 'draft' ELSE 'findable' END,
    'fp', CASE WHEN g % 1000 < 15 THEN NULL ELSE 'fp' END,
    g % 1000 >= 15, g % 1000 < 5, CASE WHEN g % 1000 < 10 THEN 2 ELSE 0 END,
    now() - interval '1 minute', now(), now(), now() - (g % 1000) * interval '1 second', 1
FROM generate_series(:first, :last) AS g
"""

EVENTS = """
INSERT INTO doi_ext_events (doi_id, created, actor, action, outcome, http_status)
SELECT id, now(), 'bench', 'call', CASE WHEN id % 100 = 0 THEN 'retryable' ELSE 'success' END,
    CASE WHEN id % 100 = 0 THEN 503 ELSE 201 END
FROM doi_ext_dois WHERE id > :after AND id % 10 = 0
"""


def grow_to(db: Any, current: int, target: int, chunk: int = 100_000) -> int:
    """Add rows (and a call event for every tenth) up to ``target``, through the triggers."""
    from sqlalchemy import text

    from invenio_doi_ext.monitoring import summary

    while current < target:
        last = min(current + chunk, target)
        after = db.session.execute(text("SELECT coalesce(max(id), 0) FROM doi_ext_dois")).scalar()
        db.session.execute(text(SEED), {"first": current + 1, "last": last})
        db.session.execute(text(EVENTS), {"after": after})
        db.session.commit()
        current = last
        print(f"  {current:,} rows", file=sys.stderr)
    # Two beat ticks with autovacuum between them, as after any burst: the first
    # compaction leaves the load's rows dead, vacuum frees their pages, the second
    # moves the few live rows to the front so that vacuum can truncate the rest.
    for _ in range(2):
        summary.compact()
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("doi_ext_state_counts", "doi_ext_call_counts", "doi_ext_dois"):
                connection.execute(text(f"VACUUM ANALYZE {table}"))
    return current


def summary_pages(db: Any) -> int:
    """Heap pages of the two count tables (what a scrape reads)."""
    from sqlalchemy import text

    query = (
        "SELECT sum(relpages) FROM pg_class "
        "WHERE relname IN ('doi_ext_state_counts', 'doi_ext_call_counts')"
    )
    return int(db.session.execute(text(query)).scalar() or 0)


def scrape_ms(from_table: bool, repeat: int = 7) -> float:
    """Median wall time of one ``collect`` (new transaction each time, as a scrape is)."""
    from invenio_db import db

    from invenio_doi_ext.monitoring import metrics, summary

    times = []
    for _ in range(repeat):
        db.session.rollback()
        start = time.perf_counter()
        metrics.exposition(summary.collect(from_table=from_table))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def plans(db: Any) -> dict[str, str]:
    """EXPLAIN of the two age probes (they must be index probes, not scans)."""
    from sqlalchemy.dialects import postgresql

    from invenio_doi_ext.lifecycle.models import utcnow
    from invenio_doi_ext.monitoring import summary

    out = {}
    for name, query in (
        ("oldest out of sync", summary.oldest_out_of_sync_query()),
        ("oldest due", summary.oldest_due_query(utcnow())),
    ):
        compiled = query.statement.compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        rows = db.session.execute(db.text(f"EXPLAIN {compiled}")).scalars().all()
        out[name] = "\n    ".join(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    sandbox = start_sandbox()
    results: dict[str, Any] = {}
    try:
        with bench_database("metrics") as url:
            values = config(url, sandbox.url, "doi-ext-bench-metrics", ours=True)
            app, _ = create_app(values, Path(tempfile.mkdtemp(prefix="doi-ext-bench-metrics-")))
            from invenio_db import db

            from invenio_doi_ext.monitoring.models import StateCount

            rows = 0
            for label, size in (("small", args.small), ("large", args.large)):
                rows = grow_to(db, rows, size)
                results[label] = {
                    "rows": rows,
                    "summary_rows": StateCount.query.count(),
                    "summary_pages": summary_pages(db),
                    "ours_ms": scrape_ms(False),
                    "baseline_ms": scrape_ms(True),
                }
            results["plans"] = plans(db)
    finally:
        sandbox.stop()

    small, large = results["small"], results["large"]
    print(f"\n## Metrics scrape cost ({small['rows']:,} vs {large['rows']:,} DOIs; median of 7, ms)")
    print(f"{'':<26}{'small':>10}{'large':>10}{'large/small':>13}")
    for key, name in (("ours_ms", "ours (summary + probes)"), ("baseline_ms", "baseline (count table)")):
        print(f"{name:<26}{small[key]:>10.1f}{large[key]:>10.1f}{large[key] / small[key]:>13.2f}")
    for label in ("small", "large"):
        r = results[label]
        print(f"ours/baseline at {r['rows']:,}: {r['ours_ms'] / r['baseline_ms']:.3f} "
              f"(summary rows: {r['summary_rows']}, pages: {r['summary_pages']})")
    for name, plan in results["plans"].items():
        print(f"plan of {name}:\n    {plan}")
    print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
