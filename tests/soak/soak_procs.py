"""Processes of the soak: Celery workers and beat, the broker restart, clean-up.

Every process is started in its own session and stopped by its own id, however
the test ends, so that a failing soak leaves nothing behind on a shared machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from invenio_doi_ext.demo.processes import celery


@dataclass
class Fleet:
    """The soak's worker and beat processes; workers can be killed and replaced."""

    env: dict[str, str]
    queue: str
    logs: Path
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)
    beat: subprocess.Popen | None = None
    kills: int = 0
    _files: list[IO] = field(default_factory=list)
    _started: int = 0

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "a")  # noqa: SIM115 - closed in stop()
        self._files.append(log)
        return subprocess.Popen(
            args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_worker(self, slot: str) -> None:
        """A solo-pool worker consuming only the soak's queue."""
        self._started += 1
        self.workers[slot] = self._spawn(
            slot,
            celery(
                "worker", "-Q", self.queue, "-n", f"soak-{slot}-{self._started}@%h", "--pool", "solo",
                "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat",
            ),
        )

    def start_beat(self) -> None:
        """Celery beat: the sweep every ``DOI_EXT_SWEEP_INTERVAL``, on the soak's queue."""
        schedule = self.logs / "beat-schedule"
        args = celery("beat", "-s", str(schedule), "--pidfile=", "-l", "warning")
        self.beat = self._spawn("beat", args)

    def kill_and_restart(self, slot: str) -> None:
        """SIGKILL one worker wherever it is (mid-call or idle), then start a new one."""
        process = self.workers[slot]
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            self.kills += 1
        self.start_worker(slot)

    def ensure_alive(self) -> list[str]:
        """Restart workers that exited on their own (e.g. lost broker); their slots."""
        restarted = [slot for slot, p in self.workers.items() if p.poll() is not None]
        for slot in restarted:
            self.start_worker(slot)
        return restarted

    def stop(self) -> None:
        """SIGTERM every process, SIGKILL after a grace period; close the logs."""
        processes = [p for p in [*self.workers.values(), self.beat] if p is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self._files:
            log.close()
        self._files.clear()


def restart_broker() -> str:
    """``rabbitmqctl stop_app && start_app``; what was done, or why it was skipped."""
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        return "skipped: rabbitmqctl is not installed on this machine"
    stop = subprocess.run([rabbitmqctl, "stop_app"], capture_output=True, text=True, timeout=120)
    if stop.returncode != 0:
        return f"skipped: rabbitmqctl stop_app failed ({stop.stderr.strip()[:200]})"
    time.sleep(2.0)
    start = subprocess.run([rabbitmqctl, "start_app"], capture_output=True, text=True, timeout=120)
    if start.returncode != 0:
        raise RuntimeError(f"rabbitmqctl start_app failed: {start.stderr.strip()[:400]}")
    return "restarted (rabbitmqctl stop_app, 2 s, start_app)"


def delete_queues(broker: str, queues: list[str]) -> None:
    """Remove the soak's queues from the broker (messages left in them are the soak's own)."""
    from kombu import Connection

    with Connection(broker, connect_timeout=5) as connection:
        channel = connection.default_channel
        for queue in queues:
            try:
                channel.queue_delete(queue)
            except Exception:  # noqa: BLE001 - a queue never declared is fine
                channel = connection.channel()
