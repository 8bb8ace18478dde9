"""Ours against upstream in pairs of fresh processes: ratios pair by pair, with their spread.

On a shared machine the load drifts by more than the differences measured, so
a ratio of two runs minutes apart tells nothing. A pair is either two runs back
to back (the order alternating from pair to pair, so a steady drift in load
favours neither) or two processes taking turns request by request
(``lockstep.py``); the ratio is taken within the pair, and pairs are added until
the 95% confidence interval of the mean ratio is within the target spread (or a
maximum number of pairs is reached, which the report then says).
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

#: Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
         2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
         2.052, 2.048, 2.045, 2.042)


def geometric_mean(ratios: Sequence[float]) -> float:
    return math.exp(statistics.fmean(math.log(r) for r in ratios))


def spread(ratios: Sequence[float]) -> float:
    """Half-width of the 95% confidence interval of the geometric mean, as a fraction (0.05 = ±5%)."""
    if len(ratios) < 2:
        return math.inf
    logs = [math.log(r) for r in ratios]
    t = _T975[min(len(logs) - 2, len(_T975) - 1)]
    half = t * statistics.stdev(logs) / math.sqrt(len(logs))
    return math.exp(half) - 1.0


def load_average() -> float:
    """The machine's one-minute load average (how busy the shared cores were)."""
    return os.getloadavg()[0]


def commit() -> str:
    """The commit measured, marked ``+changes`` when the work tree differs from it."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if dirty else head


def alternating(measure: Callable[[str], dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
    """A pair of runs back to back, ours first in even pairs and upstream first in odd ones."""

    def pair(index: int) -> dict[str, Any]:
        order = ("ours", "upstream") if index % 2 == 0 else ("upstream", "ours")
        return {provider: measure(provider) for provider in order}

    return pair


def run_pairs(
    measure_pair: Callable[[int], dict[str, Any]],
    ratios_of: Callable[[dict[str, Any], dict[str, Any]], dict[str, float]],
    *,
    target: float,
    min_pairs: int,
    max_pairs: int,
    stop_on: Sequence[str],
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Pairs from ``measure_pair(n)`` (``{"ours": ..., "upstream": ...}``) until ``stop_on`` is tight.

    ``ratios_of(ours, upstream)`` names the ratios of one pair; the result holds
    every pair's raw figures and ratios, and per ratio name its geometric mean
    and spread.
    """
    pairs: list[dict[str, Any]] = []
    failures = 0
    while len(pairs) < max_pairs:
        before = load_average()
        try:
            runs = measure_pair(len(pairs))
        except RuntimeError as exc:  # a child died (e.g. the shared broker was restarted): measure again
            failures += 1
            progress(f"  pair {len(pairs) + 1} failed ({str(exc).splitlines()[0]}); measured again")
            if failures > max_pairs:
                raise
            continue
        load = max(before, load_average())
        ratios = ratios_of(runs["ours"], runs["upstream"])
        pairs.append({"runs": runs, "ratios": ratios, "load": load})
        names = list(ratios)
        summary = {n: spread([p["ratios"][n] for p in pairs]) for n in stop_on}
        progress(f"  pair {len(pairs)} (load {load:.1f}): "
                 + ", ".join(f"{n} {ratios[n]:.2f}" for n in stop_on)
                 + "; spread " + ", ".join(f"±{100 * s:.0f}%" if math.isfinite(s) else "n/a"
                                          for s in summary.values()))
        sys.stdout.flush()
        if len(pairs) >= min_pairs and all(s <= target for s in summary.values()):
            break
    result: dict[str, Any] = {"pairs": pairs, "ratios": {}}
    for name in names:
        values = [p["ratios"][name] for p in pairs]
        result["ratios"][name] = {"mean": geometric_mean(values), "spread": spread(values), "pairs": values}
    result["converged"] = all(result["ratios"][n]["spread"] <= target for n in stop_on)
    result["load"] = [p["load"] for p in pairs]
    return result
