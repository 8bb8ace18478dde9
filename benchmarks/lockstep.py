"""Ours and upstream in two fresh processes that take turns, one request each.

On a shared machine the load changes within seconds, so even two runs back to
back can see different weather. Here both processes are set up first (not
timed), then each operation is timed in one process and at once in the other,
the one going first alternating from operation to operation: every ours/upstream
pair of timings was taken within a second of each other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROVIDERS = ("ours", "upstream")


class Child:
    """One ``bench_request.py serve`` process, driven line by line."""

    def __init__(self, provider: str, latency: float, log: Path) -> None:
        path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "bench_request.py", "serve", provider, str(latency)],
            cwd=HERE, env=dict(os.environ, PYTHONPATH=path), text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
        )

    def read(self) -> dict[str, Any]:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            raise RuntimeError(f"benchmark child exited ({self.process.returncode}); see {self.log.name}")
        return json.loads(line)

    def send(self, command: str) -> dict[str, Any]:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> dict[str, Any]:
        try:
            return self.send("quit")
        finally:
            self.process.stdin.close()
            self.process.wait(timeout=120)
            self.log.close()


def run_pair(latency: float, count: int, first: str, logs: Path) -> dict[str, dict[str, Any]]:
    """Two fresh processes; ``count`` publishes, tombstones and restores, taking turns."""
    children = {p: Child(p, latency, logs / f"lockstep-{p}-{int(latency)}.log") for p in PROVIDERS}
    times: dict[str, dict[str, list[float]]] = {p: {"publish": [], "delete_record": [], "restore": []}
                                                for p in PROVIDERS}
    try:
        for child in children.values():
            child.read()  # ready
        turn = 0

        def both(command: str, op: str | None = None) -> None:
            nonlocal turn
            order = PROVIDERS if (turn % 2 == 0) == (first == "ours") else PROVIDERS[::-1]
            turn += 1
            for provider in order:
                reply = children[provider].send(command)
                if op is not None:
                    times[provider][op].append(reply["ms"])

        for _ in range(count):
            both("publish", "publish")
        both("settle")
        for number in range(count):
            both(f"delete_record {number}", "delete_record")
        both("settle lifecycle")
        for number in range(count):
            both(f"restore {number}", "restore")
        calls = {p: child.close() for p, child in children.items()}
    finally:
        for child in children.values():
            if child.process.poll() is None:
                child.process.kill()
    return {p: {"provider": p, "latency": latency, "times": times[p], **calls[p]} for p in PROVIDERS}
