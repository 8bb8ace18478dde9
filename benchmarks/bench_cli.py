"""Benchmark of ``invenio doi list`` over 100,000 rows and ``invenio doi verify`` over 10,000.

Not a test: run on purpose, it prints figures (issue 6's "done when")::

    SQLALCHEMY_DATABASE_URI=postgresql+psycopg2://postgres@127.0.0.1:5432/doi_ext_bench \\
        .venv/bin/python benchmarks/bench_cli.py [--rows 100000] [--verify-rows 10000] \\
        [--rate "150 per 1 second"]

Both commands run through their click commands in an InvenioRDM API application.
The DataCite sandbox runs in its own process (``python -m invenio_doi_ext.sandbox``),
so that client and server do not share one interpreter. The database named by
``SQLALCHEMY_DATABASE_URI`` gets only this package's tables and is emptied first.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from datetime import timedelta

import requests

DEFAULT_DB = "postgresql+psycopg2://postgres@127.0.0.1:5432/doi_ext_bench"
PREFIX = "10.1234"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox() -> tuple[subprocess.Popen, str]:
    """The sandbox in a child process; returns it and its base URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "invenio_doi_ext.sandbox", "--port", str(port), "--prefix", PREFIX],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            requests.get(url + "__sandbox__/stats", timeout=1)
            return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


def make_app(db_uri: str, sandbox_url: str, rate: str):
    from invenio_app.factory import create_api

    return create_api(
        SQLALCHEMY_DATABASE_URI=db_uri,
        SECRET_KEY="bench",
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL="memory://",
        BROKER_URL="memory://",
        CACHE_TYPE="SimpleCache",
        SITE_UI_URL="https://repo.example.org",
        SITE_API_URL="https://repo.example.org/api",
        DATACITE_ENABLED=True,
        DATACITE_USERNAME="sandbox",
        DATACITE_PASSWORD="sandbox",
        DATACITE_PREFIX=PREFIX,
        DATACITE_TEST_MODE=True,
        DOI_EXT_DATACITE_URL=sandbox_url,
        DOI_EXT_RATE_LIMIT=rate,
        DOI_EXT_RATE_LIMIT_STORAGE="memory://",
        DOI_EXT_HTTP_TIMEOUT=(2.0, 10.0),
        DOI_EXT_SWEEP_INTERVAL=timedelta(seconds=60),
    )


def create_tables() -> None:
    from invenio_db import db
    from sqlalchemy_utils.functions import create_database, database_exists

    from invenio_doi_ext.lifecycle.models import CircuitBreaker, DOIEvent, DOISyncJob, ManagedDOI

    url = db.engine.url.render_as_string(hide_password=False)
    if not database_exists(url):
        create_database(url)
    tables = [ManagedDOI.__table__, DOIEvent.__table__, CircuitBreaker.__table__, DOISyncJob.__table__]
    db.metadata.create_all(bind=db.engine, tables=tables)
    db.session.execute(db.text("TRUNCATE doi_ext_sync_jobs, doi_ext_events, doi_ext_dois, doi_ext_breaker"))
    db.session.commit()


def payload(doi: str) -> dict:
    return {
        "creators": [{"name": "Brown, Troy", "nameType": "Personal"}],
        "titles": [{"title": f"Data set {doi}"}],
        "publisher": {"name": "Example Repository"},
        "publicationYear": "2024",
        "types": {"resourceTypeGeneral": "Dataset"},
    }


def fill(count: int, out_of_sync: float, failed: float, chunk: int = 10_000) -> None:
    """Bulk-insert ``count`` rows: mostly findable and in sync, some waiting, some failed."""
    from invenio_db import db
    from sqlalchemy import insert

    from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow
    from invenio_doi_ext.metadata.fingerprint import fingerprint

    rng = random.Random(6)
    now = utcnow()
    for start in range(0, count, chunk):
        rows = []
        for number in range(start, min(start + chunk, count)):
            doi = f"{PREFIX}/bench-{number:07d}"
            url = f"https://repo.example.org/doi/{doi}"
            body = payload(doi)
            fp = fingerprint(body, url)
            draw = rng.random()
            is_failed = draw < failed
            waiting = draw < failed + out_of_sync
            rows.append(
                {
                    "doi": doi,
                    "pid_value": doi,
                    "kind": "record",
                    "desired_state": "findable",
                    "desired_payload": body,
                    "desired_url": url,
                    "desired_fingerprint": fp,
                    "desired_changed": now,
                    "remote_state": "none" if waiting else "findable",
                    "remote_fingerprint": None if waiting else fp,
                    "remote_url": None if waiting else url,
                    "in_sync": not waiting,
                    "failed": is_failed,
                    "last_error": "DataCite: titles is required" if is_failed else None,
                    "last_status": 422 if is_failed else 201,
                    "attempts": 1 if waiting and not is_failed else 0,
                    "next_attempt_at": now,
                    "created": now,
                    "updated": now,
                    "version_id": 1,
                }
            )
        db.session.execute(insert(ManagedDOI), rows)
        db.session.commit()
    db.session.execute(db.text("ANALYZE doi_ext_dois"))
    db.session.commit()


def seed_sandbox(sandbox_url: str, count: int, drift_every: int) -> int:
    """Put the verified DOIs at the sandbox (control API); every Nth one drifted. Returns drifted."""
    session = requests.Session()
    drifted = 0
    for number in range(count):
        doi = f"{PREFIX}/bench-{number:07d}"
        body = {"state": "findable", "url": f"https://repo.example.org/doi/{doi}", "attributes": payload(doi)}
        if drift_every and number % drift_every == 0:
            body["state"] = "registered"
            drifted += 1
        response = session.put(f"{sandbox_url}__sandbox__/dois/{doi}", json=body, timeout=10)
        response.raise_for_status()
    return drifted


def timed_cli(app, args: list[str]) -> tuple[float, object]:
    from invenio_doi_ext.cli import doi

    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(doi, args)
    elapsed = time.perf_counter() - started
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return elapsed, result


def per_second(rate: str) -> float:
    from limits import parse

    item = parse(rate)
    return item.amount / item.get_expiry()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--verify-rows", type=int, default=10_000)
    parser.add_argument("--rate", default="150 per 1 second", help="DOI_EXT_RATE_LIMIT for verify")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each list timing (best kept)")
    options = parser.parse_args()
    db_uri = os.environ.get("SQLALCHEMY_DATABASE_URI", DEFAULT_DB)

    proc, sandbox_url = start_sandbox()
    try:
        app = make_app(db_uri, sandbox_url, options.rate)
        with app.app_context():
            create_tables()
            started = time.perf_counter()
            fill(options.rows, out_of_sync=0.05, failed=0.01)
            print(f"filled {options.rows} rows in {time.perf_counter() - started:.1f}s (bulk insert)")

            for args in (
                ["list", "--out-of-sync"],
                ["list", "--out-of-sync", "--format", "json"],
                ["list", "--out-of-sync", "--format", "csv"],
                ["list", "--failed"],
                ["list"],
                ["list", "--format", "json"],
            ):
                best, result = min((timed_cli(app, args) for _ in range(options.repeat)), key=lambda t: t[0])
                lines = result.stdout.count("\n")
                print(
                    f"invenio doi {' '.join(args):<40} {best:6.3f}s  ({lines} lines, exit {result.exit_code})"
                )

            create_tables()
            fill(options.verify_rows, out_of_sync=0.0, failed=0.0)
            drifted = seed_sandbox(sandbox_url, options.verify_rows, drift_every=100)
            before = requests.get(sandbox_url + "__sandbox__/stats", timeout=10).json()
            elapsed, result = timed_cli(app, ["verify"])
            after = requests.get(sandbox_url + "__sandbox__/stats", timeout=10).json()
        calls = after["requests"] - before["requests"]
        achieved = calls / elapsed
        limit = per_second(options.rate)
        summary = result.stdout.strip().splitlines()[-1]
        print(
            f"invenio doi verify over {options.verify_rows} rows: {elapsed:.1f}s, {calls} GETs, "
            f"{achieved:.1f}/s against a limit of {limit:.1f}/s ({options.rate}): "
            f"ratio {achieved / limit:.3f}; exit {result.exit_code}; {summary}; seeded drift {drifted}"
        )
        print(f"rate-limited answers from the sandbox: {after['rate_limited'] - before['rate_limited']}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
