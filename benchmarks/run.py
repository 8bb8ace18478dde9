"""Run the benchmarks of invenio-doi-ext: ``python benchmarks/run.py [--quick] [--only NAMES]``.

Not part of ``./run-tests.sh``. Needs PostgreSQL, RabbitMQ and Redis on loopback
(see ``bench_instance.py`` for the variables that point elsewhere); creates and
drops its own ``doi_ext_bench_*`` databases and queues. Every figure is printed
beside its baseline measured in the same run, with the ratio. Upstream's DataCite
client is pointed at the sandbox by replacing ``DataCiteClient.api`` so that it
builds ``DataCiteRESTClient(..., test_mode=False, url=<sandbox>)``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench_instance import percentile, run_child

BENCHES = ("request", "coalesce", "throughput", "scale", "adopt")


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "n/a"


def bench_request(quick: bool) -> dict[str, Any]:
    count = 6 if quick else 20
    print(f"\n## 1. Request path (ms, {count} records each; Celery not eager, nobody consumes)")
    print(f"{'operation':<14}{'latency':>8}  {'ours med':>9}{'p95':>8}  {'upstream med':>13}{'p95':>8}  "
          f"{'ratio med':>9}{'p95':>7}")
    results = {}
    for latency in (0, 1000):
        runs = {p: run_child("bench_request.py", p, str(latency), str(count)) for p in ("ours", "upstream")}
        results[latency] = runs
        for op in ("publish", "delete_record", "restore"):
            o, u = runs["ours"]["times"][op], runs["upstream"]["times"][op]
            om, op95, um, up95 = percentile(o, .5), percentile(o, .95), percentile(u, .5), percentile(u, .95)
            print(f"{op:<14}{latency:>6}ms  {om:>9.0f}{op95:>8.0f}  {um:>13.0f}{up95:>8.0f}  "
                  f"{ratio(om, um):>9}{ratio(op95, up95):>7}")
    return results


def bench_coalesce(quick: bool) -> dict[str, Any]:
    bursts = "1,10,30" if quick else "1,10,100"
    print("\n## 3. Coalescing: DataCite calls for a burst of k edit+publish (record and concept DOI)")
    runs = {p: run_child("bench_coalesce.py", p, bursts) for p in ("ours", "upstream")}
    print(f"{'k':>4}  {'ours':>6}  {'upstream':>9}  {'ratio':>6}")
    for k in bursts.split(","):
        o, u = runs["ours"]["calls"][k], runs["upstream"]["calls"][k]
        print(f"{k:>4}  {o:>6}  {u:>9}  {ratio(o, u):>6}")
    return runs


def bench_throughput(quick: bool, dois: int | None) -> dict[str, Any]:
    count = dois or (400 if quick else 2000)
    records = max(50, count // 4)
    # Ours is set to the sandbox's own limit, no margin: a slot counts from its answer.
    limit, window, ours_limit = 50, 5.0, 50
    print(f"\n## 2. Throughput: sandbox 150 ms latency, limit {limit} per {window:g} s "
          f"({limit / window:g}/s); ours limited to {ours_limit} per {window:g} s in Redis")
    print(f"{'run':<28}{'accepted':>9}{'rate/s':>8}{'rate/R':>8}{'429s':>6}{'lost':>6}{'seconds':>9}")
    results = []
    plan = [("ours", n, count) for n in (1, 2, 4)] + [("upstream", n, records) for n in (1, 2, 4)]
    for provider, workers, n in plan:
        run = run_child(
            "bench_throughput.py", provider, str(workers), str(n), str(limit), str(window), str(ours_limit)
        )
        results.append(run)
        label = f"{provider} N={workers} ({n}{' DOIs' if provider == 'ours' else ' publishes'})"
        print(f"{label:<28}{run['accepted']:>9}{run['rate']:>8}{run['fraction_of_limit']:>8}"
              f"{run['http_429']:>6}{run['lost']:>6}{run['seconds']:>9}")
    return {"limit": limit, "window": window, "ours_limit": ours_limit, "runs": results}


def bench_scale(quick: bool) -> dict[str, Any]:
    rows = 100_000 if quick else 1_000_000
    sizes = "10000,1000" if quick else "100000,10000"
    print(f"\n## 4. Scale: {rows:,} rows on PostgreSQL")
    run = run_child("bench_scale.py", str(rows), sizes)
    print(f"loaded with COPY in {run['load_seconds']} s")
    for key, title in (("sweep_due_query", "sweep due-row query (batch 500)"),
                       ("list_out_of_sync", "list --out-of-sync (all rows)")):
        q = run[key]
        print(f"{title}: {q['rows']} rows, median {q['median_ms']} ms\n  " + "\n  ".join(q["plan"]))
    first, *rest = run["verify"]
    for v in run["verify"]:
        print(f"verify over {v['rows']:,} rows: peak {v['peak_mib']} MiB traced, {v['seconds']} s "
              f"({v['summary']})")
    for v in rest:
        print(f"verify memory ratio {first['rows']:,} rows / {v['rows']:,} rows: "
              f"{ratio(first['peak_mib'], v['peak_mib'])}")
    return run


def bench_adopt(quick: bool) -> dict[str, Any]:
    sizes = "10000,1000" if quick else "100000,10000"
    print("\n## 5. Adopt: memory of `invenio doi adopt` as DOIs grow (a fresh process per size; "
          "records cloned in SQL from records published with upstream's provider)")
    run = run_child("bench_adopt.py", sizes, "rss")
    first, *rest = run["adopt"]
    for a in run["adopt"]:
        p = a["prepare"]
        print(f"adopt over {a['dois']:,} DOIs ({p['template_records']} published + {p['clones']:,} cloned "
              f"records): {a['measure']} {a['peak_rss_mib']} MiB, {a['rss_before_mib']} MiB before the "
              f"command, {a['seconds']} s, exit {a['exit']} ({a['summary']})")
        print("  RSS every 10% of the DOIs (MiB): " + ", ".join(str(s["rss_mib"]) for s in a["samples"]))
        if a["peak_traced_mib"] is not None:
            print(f"  peak traced {a['peak_traced_mib']} MiB")
    for a in rest:
        grown, grown_small = (round(x["peak_rss_mib"] - x["rss_before_mib"], 1) for x in (first, a))
        print(f"adopt peak RSS ratio {first['dois']:,} DOIs / {a['dois']:,} DOIs: "
              f"{ratio(first['peak_rss_mib'], a['peak_rss_mib'])}; growth during the command "
              f"{grown} MiB / {grown_small} MiB: {ratio(grown, grown_small)}")
        if first["peak_traced_mib"] is not None and a["peak_traced_mib"] is not None:
            print(f"adopt peak traced ratio: {ratio(first['peak_traced_mib'], a['peak_traced_mib'])}")
    return run


def machine() -> str:
    import psutil
    import sqlalchemy as sa
    from bench_instance import PG

    engine = sa.create_engine(f"{PG}/postgres")
    with engine.connect() as connection:
        pg = connection.execute(sa.text("SHOW server_version")).scalar()
    engine.dispose()
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; nproc {os.cpu_count()}; "
            f"memory {psutil.virtual_memory().total / 2**30:.1f} GiB; Python {platform.python_version()}; "
            f"PostgreSQL {pg}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes in all)")
    parser.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated subset of {BENCHES}")
    parser.add_argument("--dois", type=int, help="DOIs of the throughput runs (default 2000, quick 400)")
    parser.add_argument("--json", help="also write every raw figure to this file")
    args = parser.parse_args()
    print(f"# invenio-doi-ext benchmarks ({'quick' if args.quick else 'full'})\n{machine()}")
    print("upstream's DataCiteClient.api is replaced by "
          "DataCiteRESTClient(..., test_mode=False, url=<sandbox>)")
    results: dict[str, Any] = {}
    for name in args.only.split(","):
        if name == "request":
            results[name] = bench_request(args.quick)
        elif name == "coalesce":
            results[name] = bench_coalesce(args.quick)
        elif name == "throughput":
            results[name] = bench_throughput(args.quick, args.dois)
        elif name == "scale":
            results[name] = bench_scale(args.quick)
        elif name == "adopt":
            results[name] = bench_adopt(args.quick)
        else:
            parser.error(f"unknown benchmark {name!r}")
        sys.stdout.flush()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
