"""What every benchmark needs: its own database, the sandbox, an InvenioRDM instance.

Services (override with environment variables): PostgreSQL ``BENCH_POSTGRES``
(server URL without database; databases ``doi_ext_bench_*`` are created and
dropped), RabbitMQ ``BENCH_BROKER``, Redis ``BENCH_REDIS`` (db 3, for the shared
rate limit). The instance is the demo's (``invenio_doi_ext.demo.instance``):
prefix 10.5555, DataCite account DEMO.REPOSITORY, DataCite = the sandbox.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PG = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/3")
HERE = Path(__file__).resolve().parent

UPSTREAM_TASK = "invenio_rdm_records.services.pids.tasks.register_or_update_pid"


@contextmanager
def bench_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database ``doi_ext_bench_<name>``, dropped afterwards."""
    from sqlalchemy_utils import create_database, database_exists, drop_database

    url = f"{PG}/doi_ext_bench_{name}"
    if database_exists(url):
        drop_database(url)
    create_database(url)
    try:
        yield url
    finally:
        from invenio_db import db

        try:
            db.session.remove()
            db.engine.dispose()
        except Exception:  # noqa: BLE001, S110 - no application context: nothing to release
            pass
        drop_database(url)


def start_sandbox(latency_ms: float = 0.0) -> Any:
    """The sandbox with the demo's account, on a free loopback port."""
    from invenio_doi_ext.sandbox import SandboxServer

    server = SandboxServer(prefixes=("10.5555",), username="DEMO.REPOSITORY", password="demo-password")
    server.start()
    server.control.set_latency(latency_ms)
    return server


def config(db_url: str, sandbox_url: str, queue: str, *, ours: bool, **overrides: Any) -> dict[str, Any]:
    """The demo instance's configuration on real services, tasks on ``queue`` only."""
    from invenio_doi_ext.demo.instance import Services, instance_config

    services = Services(db_url, BROKER, REDIS, embedded_database=False, embedded_broker=False)
    values = instance_config(services, sandbox_url, Path(tempfile.gettempdir()))
    values.update(
        DOI_EXT_ENABLED=ours,
        DOI_EXT_TASK_QUEUE=queue,
        CELERY_TASK_DEFAULT_QUEUE=f"{queue}-other",
        CELERY_TASK_ROUTES={UPSTREAM_TASK: {"queue": queue}},
        CACHE_TYPE="SimpleCache",
        COMMUNITIES_IDENTITIES_CACHE_HANDLER="invenio_doi_ext.embedded:MemoryIdentityCache",
        LOGGING_CONSOLE_LEVEL="ERROR",
    )
    values.update(overrides)
    return values


def create_app(values: dict[str, Any], instance_path: Path) -> Any:
    """The API application, tables created, search stand-in, vocabularies; (app, identity)."""
    import logging

    from invenio_doi_ext.demo.bootstrap import create_instance, populate
    from invenio_doi_ext.embedded import install_search_standin

    logging.getLogger("invenio_rdm_records").setLevel(logging.ERROR)
    app = create_instance(values, instance_path)
    app.logger.setLevel(logging.ERROR)
    ctx = app.app_context()
    ctx.push()
    install_search_standin()
    identity = populate(instance_path / "files")
    return app, identity


def point_upstream_at(sandbox_url: str) -> None:
    """Upstream's DataCite client talks to the sandbox instead of api.test.datacite.org.

    ``DataCiteClient.api`` builds ``DataCiteRESTClient(user, pw, prefix, test_mode)``,
    and test mode hard-wires DataCite's test host; the benchmark replaces the
    property so that it builds ``DataCiteRESTClient(..., test_mode=False, url=<sandbox>)``.
    Nothing else of upstream is changed.
    """
    from datacite import DataCiteRESTClient
    from invenio_rdm_records.services.pids.providers.datacite import DataCiteClient

    def api(self: Any) -> Any:
        if self._api is None:
            self.check_credentials()
            self._api = DataCiteRESTClient(
                self.cfg("username"), self.cfg("password"), self.cfg("prefix"),
                test_mode=False, url=sandbox_url,
            )
        return self._api

    DataCiteClient.api = property(api)


def worker_env(values: dict[str, Any], instance_path: Path, sandbox_url: str) -> dict[str, str]:
    """INVENIO_* variables for worker processes, plus what ``upstream_celery`` reads."""
    from invenio_doi_ext.demo.instance import worker_environment

    env = worker_environment(values, instance_path)
    env["BENCH_SANDBOX_URL"] = sandbox_url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    return env


def worker_args(queue: str, name: str) -> list[str]:
    """A solo-pool Celery worker of the benchmark app (``upstream_celery``) on ``queue``."""
    return [
        sys.executable, "-m", "celery", "-A", "upstream_celery", "worker", "-Q", queue, "-n", f"{name}@%h",
        "--pool", "solo", "-l", "error", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]


def delete_queues(*queues: str) -> None:
    """Remove the benchmark's queues (and what nobody consumed in them)."""
    from kombu import Connection

    with Connection(BROKER, connect_timeout=5) as connection:
        for queue in queues:
            with contextlib.suppress(Exception):  # never declared: nothing to delete
                connection.channel().queue_delete(queue)


def queue_length(queue: str) -> int:
    """Messages waiting in a queue (0 when it does not exist)."""
    from kombu import Connection

    with Connection(BROKER, connect_timeout=5) as connection:
        try:
            return connection.channel().queue_declare(queue, passive=True).message_count
        except Exception:  # noqa: BLE001 - not declared yet
            return 0


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def run_child(*args: str) -> dict[str, Any]:
    """Run a benchmark script in a fresh interpreter (own app, database, sandbox); its last line, JSON."""
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([sys.executable, *args], cwd=HERE, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
