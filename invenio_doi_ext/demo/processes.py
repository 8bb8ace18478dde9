"""The demo's Celery worker and beat: real processes, stopped however the demo ends."""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .instance import DEFAULT_QUEUE, DOI_QUEUE


@dataclass
class Processes:
    """Started processes, stopped in reverse order."""

    running: list[tuple[str, subprocess.Popen, IO]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
        """Start one process with its output in a log file."""
        log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process, log))
        return process

    def dead(self) -> list[str]:
        """Names of processes that exited on their own."""
        return [name for name, process, _ in self.running if process.poll() is not None]

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period."""
        for _, process, _ in reversed(self.running):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process, log in reversed(self.running):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        self.running.clear()


#: InvenioRDM's Celery app with the search stand-in the workers' serializer needs.
CELERY_APP = "invenio_doi_ext.demo.worker_app"


def celery(*args: str) -> list[str]:
    """``celery -A invenio_doi_ext.demo.worker_app ...`` with this interpreter."""
    return [sys.executable, "-m", "celery", "-A", CELERY_APP, *args]


def start_worker(processes: Processes, env: dict[str, str], output: Path) -> None:
    """One worker consuming the DOI queue and Celery's default queue.

    The DOI queue carries the lifecycle's tasks; the default queue, as on an
    instance's general worker, carries invenio-notifications' and invenio-mail's
    tasks, which send the operators' digest.
    """
    processes.start(
        "worker",
        celery(
            "worker",
            "-Q",
            f"{DOI_QUEUE},{DEFAULT_QUEUE}",
            "-n",
            "doi-demo@%h",
            "--pool",
            "solo",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ),
        env,
        output / "worker.log",
    )


def start_beat(processes: Processes, env: dict[str, str], output: Path) -> None:
    """Celery beat, which runs the sweep every DOI_EXT_SWEEP_INTERVAL."""
    processes.start(
        "beat",
        celery("beat", "-s", str(output / "beat-schedule"), "--pidfile=", "-l", "info"),
        env,
        output / "beat.log",
    )
