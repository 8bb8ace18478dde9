"""Soak: random record operations, DataCite failing 30% of the time, workers killed.

Real Celery worker processes and beat on a real broker, PostgreSQL, the sandbox
answering 30% of requests with 500, HTML 503, 429 (with and without
Retry-After), dropped connections and read timeouts. Workers are SIGKILLed at
random moments and restarted, the broker is restarted once. Then the faults stop
and the sweep is left to finish. Nothing may be lost, go backwards, leak or be
created twice; judged from the records, every DOI of the instance is at DataCite
as its record's status says, and DataCite holds none the instance does not know.

``SOAK_PROFILE=short`` (default, ~300 operations, part of ``./run-tests.sh``) or
``long`` (20,000 operations): ``SOAK_PROFILE=long ./run-tests.sh tests/soak -s``.
``SOAK_SEED`` and ``SOAK_OPERATIONS`` override the profile's seed and size.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import DOI_QUEUE, OTHER_QUEUE, soak_settings
from doi_inventory import check_inventory
from doi_leaks import restricted_field_leaks
from soak_checks import HiddenPeriods, JournalTail, duplicated_creates, leaks, mismatches, went_backwards
from soak_ops import Operations
from soak_procs import Fleet, delete_queues, restart_broker
from tests_support import broker_for_workers

from invenio_doi_ext.demo.instance import worker_environment
from invenio_doi_ext.lifecycle.models import ManagedDOI

pytestmark = [pytest.mark.soak, pytest.mark.worker, pytest.mark.postgresql]

FAULTS = {"500": 1, "503_html": 1, "429": 1, "429_retry_after": 1, "drop": 1, "timeout": 1}


@dataclass(frozen=True)
class Profile:
    """Size of a soak run."""

    operations: int
    kills: int
    converge_timeout: float


PROFILES = {
    "short": Profile(operations=300, kills=3, converge_timeout=420.0),
    "long": Profile(operations=20_000, kills=100, converge_timeout=3600.0),
}


def _profile() -> tuple[str, Profile, int]:
    name = os.environ.get("SOAK_PROFILE", "short")
    profile = PROFILES[name]
    if os.environ.get("SOAK_OPERATIONS"):
        operations = int(os.environ["SOAK_OPERATIONS"])
        profile = Profile(operations, max(1, operations // 100), profile.converge_timeout)
    return name, profile, int(os.environ.get("SOAK_SEED", "5170"))


def _worker_env(app: Any, broker: str, sandbox_url: str, instance_path: str) -> dict[str, str]:
    config = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "CELERY_RESULT_BACKEND": "cache",
        "CELERY_CACHE_BACKEND": "memory",
        "CACHE_TYPE": "SimpleCache",
        "COMMUNITIES_IDENTITIES_CACHE_HANDLER": "invenio_doi_ext.embedded:MemoryIdentityCache",
        "SECRET_KEY": "soak",
        "SITE_UI_URL": app.config["SITE_UI_URL"],
        "SITE_API_URL": app.config["SITE_API_URL"],
        "DATACITE_ENABLED": True,
        "DATACITE_USERNAME": "sandbox",
        "DATACITE_PASSWORD": "sandbox",
        "DATACITE_PREFIX": app.config["DATACITE_PREFIX"],
        "DOI_EXT_DATACITE_URL": sandbox_url,
        **soak_settings(broker),
    }
    return worker_environment(config, Path(instance_path))


@dataclass
class Progress:
    """A line every so many operations, so that a long run shows its pace as it goes."""

    started: float
    total: int
    last_time: float = 0.0
    last_done: int = 0

    def report(self, done: int, stats: dict[str, Any], kills: int) -> None:
        now = time.monotonic()
        since = (now - (self.last_time or self.started)) or 1e-9
        rate = (done - self.last_done) / since
        print(
            f"progress: {done}/{self.total} operations, {now - self.started:.0f} s, "
            f"{rate:.2f} op/s lately, {stats['requests']} requests, "
            f"{sum(stats['faults'].values())} faults, {kills} kills",
            flush=True,
        )
        self.last_time, self.last_done = now, done


def _unsettled(database: Any) -> int:
    database.session.expire_all()
    count = ManagedDOI.query.filter((ManagedDOI.in_sync.is_(False)) | (ManagedDOI.failed.is_(True))).count()
    database.session.commit()
    return count


def _forget_objects(database: Any, keep: Any) -> None:
    """Empty the test-long session (the soak keeps ids, never ORM objects).

    Without this every flush walks every object of every earlier operation
    (SQLAlchemy-Continuum's before_flush) and the soak slows down as it goes.
    ``keep`` (the files location, whose fixture reads it at teardown) stays.
    """
    database.session.expunge_all()
    database.session.add(keep)


def test_soak(app, database, location, service, datacite_sandbox, instance_path):
    name, profile, seed = _profile()
    broker = broker_for_workers()
    print(f"\nsoak profile={name} operations={profile.operations} seed={seed} broker={broker.split('@')[-1]}")
    rng = random.Random(seed)
    control = datacite_sandbox.control
    journal = JournalTail(control)
    hidden = HiddenPeriods()
    operations = Operations(service, rng)
    logs = Path(instance_path) / "soak-logs"
    logs.mkdir(exist_ok=True)
    fleet = Fleet(_worker_env(app, broker, datacite_sandbox.url, instance_path), DOI_QUEUE, logs)
    kill_at = set(rng.sample(range(1, profile.operations), profile.kills))
    broker_at = profile.operations // 2
    broker_note = "not reached"
    progress_every = max(50, profile.operations // 20)
    started = time.monotonic()
    progress = Progress(started, profile.operations)
    try:
        control.set_faults(rate=0.3, kinds=FAULTS, seed=seed, retry_after=1, hang_seconds=2.5)
        fleet.start_worker("w1")
        fleet.start_worker("w2")
        fleet.start_beat()
        for number in range(profile.operations):
            _, changes = operations.step()
            seq = journal.drain()
            for doi, is_hidden in changes:
                hidden.change(doi, is_hidden, seq)
            if number in kill_at:
                fleet.kill_and_restart(rng.choice(sorted(fleet.workers)))
            if number == broker_at:
                rabbit = broker.startswith("amqp")
                broker_note = restart_broker() if rabbit else "skipped: the broker is Redis, not RabbitMQ"
                print(f"broker: {broker_note}")
            fleet.ensure_alive()
            _forget_objects(database, keep=location)
            if (number + 1) % progress_every == 0:
                progress.report(number + 1, control.stats(), fleet.kills)
        operations_seconds = time.monotonic() - started

        control.clear_faults()
        settle_started = time.monotonic()
        remaining = _unsettled(database)
        while remaining and time.monotonic() - settle_started < profile.converge_timeout:
            time.sleep(1.0)
            journal.drain()
            fleet.ensure_alive()
            remaining = _unsettled(database)
        converge_seconds = time.monotonic() - settle_started
    finally:
        fleet.stop()
        control.clear_faults()
        delete_queues(broker, [DOI_QUEUE, OTHER_QUEUE])
    journal.drain()

    stats = control.stats()
    database.session.expire_all()
    rows = ManagedDOI.query.all()
    held = {doi["doi"]: doi for doi in control.dois()}
    inventory = check_inventory(held)
    leak_report = restricted_field_leaks(held)
    problems = {
        "lost (not converged or failed)": [repr(r) for r in rows if not r.in_sync or r.failed],
        "state or metadata differ": mismatches(rows, held),
        "from the records (row, state, metadata, unknown at DataCite)": inventory.problems,
        "restricted fields at DataCite": leak_report.problems,
        "records judged are not the versions published": [
            f"{inventory.judged['record']} records hold a DOI of ours, the soak published "
            f"{len(operations.versions)} versions"
        ] if inventory.judged["record"] != len(operations.versions) else [],
        "went backwards": went_backwards(journal.entries, hidden),
        "restricted metadata sent": leaks(journal.entries),
        "duplicated creates": [f"{d}: {n}" for d, n in duplicated_creates(journal.entries).items()],
    }
    print(f"operations: {sum(operations.done.values())} done {dict(operations.done)}")
    print(f"operations refused by the service: {sum(operations.errors.values())} {dict(operations.errors)}")
    print(f"DOIs: {len(rows)}; requests to DataCite: {stats['requests']}; faults injected: "
          f"{sum(stats['faults'].values())} {stats['faults']}; statuses {stats['by_status']}")
    print(f"workers killed: {fleet.kills}; broker: {broker_note}")
    print(f"judged from the records: {inventory.summary()}; restricted, looked at for their fields: "
          f"{dict(leak_report.judged)}")
    print(f"operations phase: {operations_seconds:.0f} s; converged {converge_seconds:.0f} s after the "
          f"faults stopped; lost: {len(problems['lost (not converged or failed)'])}")
    for title, found in problems.items():
        print(f"{title}: {len(found)}" + "".join(f"\n  {line}" for line in found[:20]))
    assert not any(problems.values()), "soak found problems (listed above)"
