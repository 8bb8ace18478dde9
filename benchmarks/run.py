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
import statistics
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import interleave
import lockstep
from bench_instance import percentile, run_child

BENCHES = ("request", "coalesce", "throughput", "scale", "adopt", "memory")
PROVIDERS = ("ours", "upstream")


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "n/a"


OPERATIONS = ("publish", "delete_record", "restore")


def bench_request(
    quick: bool, target: float, max_pairs: int, latencies: list[int], mode: str, json_path: str | None = None
) -> dict[str, Any]:
    """Ours and upstream in pairs of fresh processes, per latency, until the ratios are tight."""
    count = 6 if quick else 20
    min_pairs = 2 if quick else 3
    print(f"\n## 1. Request path (ms, {count} records per run; Celery not eager, nobody consumes)")
    how = ("two fresh processes taking turns, one request each (who goes first alternating)"
           if mode == "lockstep" else "two fresh processes back to back, order alternating")
    print(f"pairs: {how}; until the 95% interval of every median ratio is within ±{100 * target:.0f}% "
          f"(at least {min_pairs}, at most {max_pairs} pairs)")

    def ratios_of(ours: dict[str, Any], upstream: dict[str, Any]) -> dict[str, float]:
        ratios = {}
        for op in OPERATIONS:
            o, u = ours["times"][op], upstream["times"][op]
            ratios[f"{op} med"] = percentile(o, .5) / percentile(u, .5)
            ratios[f"{op} p95"] = percentile(o, .95) / percentile(u, .95)
        return ratios

    results = {}
    for latency in latencies:
        print(f"latency {latency} ms:")
        if mode == "lockstep":
            def measure_pair(index: int, latency: int = latency) -> dict[str, Any]:
                first = "ours" if index % 2 == 0 else "upstream"
                return lockstep.run_pair(latency, count, first, Path(tempfile.gettempdir()))
        else:
            measure_pair = interleave.alternating(
                lambda who, latency=latency: run_child("bench_request.py", who, str(latency), str(count))
            )
        cell = interleave.run_pairs(
            measure_pair, ratios_of, target=target, min_pairs=min_pairs, max_pairs=max_pairs,
            stop_on=[f"{op} med" for op in OPERATIONS],
        )
        results[latency] = cell
        sys.stdout.flush()
        if json_path:  # a cell at a time: a later failure keeps what was measured
            Path(json_path).write_text(json.dumps({"request": results}, indent=1))
    print(f"\n{'operation':<14}{'latency':>8}  {'ours med':>9}{'p95':>7}  {'upstream med':>13}{'p95':>7}  "
          f"{'ratio med':>14}  {'ratio p95':>14}  pairs  load")
    for latency, cell in results.items():
        for op in OPERATIONS:
            runs = [pair["runs"] for pair in cell["pairs"]]
            med = {p: statistics.median(percentile(r[p]["times"][op], .5) for r in runs) for p in PROVIDERS}
            p95 = {p: statistics.median(percentile(r[p]["times"][op], .95) for r in runs) for p in PROVIDERS}
            rm, rp = cell["ratios"][f"{op} med"], cell["ratios"][f"{op} p95"]
            print(f"{op:<14}{latency:>6}ms  {med['ours']:>9.0f}{p95['ours']:>7.0f}  {med['upstream']:>13.0f}"
                  f"{p95['upstream']:>7.0f}  {rm['mean']:>6.2f} ±{100 * rm['spread']:>4.0f}%  "
                  f"{rp['mean']:>6.2f} ±{100 * rp['spread']:>4.0f}%  {len(runs):>5}  "
                  f"{min(cell['load']):.1f}-{max(cell['load']):.1f}")
        if not cell["converged"]:
            print(f"  latency {latency} ms: spread still over ±{100 * target:.0f}% after {max_pairs} pairs")
    print("ratio: geometric mean of the pairs' ratios, ± half-width of its 95% confidence interval; "
          "ms: median over the pairs; load: one-minute load average during the pairs")
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


def bench_memory(quick: bool) -> dict[str, Any]:
    """RSS of a web process after publish/edit/tombstone requests; ours and upstream side by side."""
    from concurrent.futures import ThreadPoolExecutor

    points = "300,1500" if quick else "1000,5000"
    first, last = (int(x) for x in points.split(","))
    print(f"\n## 6. Memory of a web process: RSS after {first:,} and {last:,} publish/edit/tombstone "
          "requests (one process each, run at the same time; the sandbox in a process of its own)")
    with ThreadPoolExecutor(2) as pool:
        futures = {p: pool.submit(run_child, "bench_memory.py", p, points) for p in PROVIDERS}
        runs = {p: future.result() for p, future in futures.items()}
    print(f"{'provider':<10}{'after 30':>10}{f'after {first:,}':>13}{f'after {last:,}':>13}{'growth':>9}")
    growth = {}
    for provider, run in runs.items():
        at = {s["operations"]: s["rss_mib"] for s in run["samples"]}
        growth[provider] = at[last] / at[first]
        print(f"{provider:<10}{run['baseline_mib']:>10}{at[first]:>13}{at[last]:>13}{growth[provider]:>9.3f}")
    print(f"growth ratio ours / upstream: {ratio(growth['ours'], growth['upstream'])} "
          "(growth: RSS at the last checkpoint / RSS at the first; MiB)")
    return runs


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
            f"PostgreSQL {pg}; commit {interleave.commit()}; load average {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes in all)")
    parser.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated subset of {BENCHES}")
    parser.add_argument("--dois", type=int, help="DOIs of the throughput runs (default 2000, quick 400)")
    parser.add_argument("--json", help="also write every raw figure to this file")
    parser.add_argument("--spread", type=float, default=0.05,
                        help="request: add pairs until every median ratio is within this (0.05 = ±5%%)")
    parser.add_argument("--max-pairs", type=int, default=8, help="request: at most this many pairs a latency")
    parser.add_argument("--latencies", default="0,1000", help="request: DataCite latencies in ms")
    parser.add_argument("--mode", choices=("lockstep", "processes"), default="lockstep",
                        help="request: a pair takes turns request by request (default) or runs back to back")
    args = parser.parse_args()
    print(f"# invenio-doi-ext benchmarks ({'quick' if args.quick else 'full'})\n{machine()}")
    print("upstream's DataCiteClient.api is replaced by "
          "DataCiteRESTClient(..., test_mode=False, url=<sandbox>)")
    results: dict[str, Any] = {}
    for name in args.only.split(","):
        if name == "request":
            latencies = [int(x) for x in args.latencies.split(",")]
            results[name] = bench_request(
                args.quick, args.spread, args.max_pairs, latencies, args.mode, args.json
            )
        elif name == "coalesce":
            results[name] = bench_coalesce(args.quick)
        elif name == "throughput":
            results[name] = bench_throughput(args.quick, args.dois)
        elif name == "scale":
            results[name] = bench_scale(args.quick)
        elif name == "adopt":
            results[name] = bench_adopt(args.quick)
        elif name == "memory":
            results[name] = bench_memory(args.quick)
        else:
            parser.error(f"unknown benchmark {name!r}")
        sys.stdout.flush()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
