"""The summary in Prometheus' text format (``prometheus_client``), for ``/api/dois/metrics``.

A fresh registry per scrape: the figures are read from the database, which
every web process and worker shares, never kept in one process's memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from .summary import Summary

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class SummaryCollector:
    """Turns one :class:`Summary` into metric families."""

    def __init__(self, summary: Summary) -> None:
        self.summary = summary

    def collect(self) -> Iterator[Metric]:
        """The families, names prefixed ``doi_ext_``."""
        s = self.summary
        states = GaugeMetricFamily(
            "doi_ext_dois", "Managed DOIs by derived (DSpace) state.", labels=["state"]
        )
        for name, count in sorted(s.by_state.items()):
            states.add_metric([name], count)
        yield states
        labels = GaugeMetricFamily(
            "doi_ext_dois_by_label", "Managed DOIs by the admin list's label.", labels=["label"]
        )
        for name, count in sorted(s.by_label.items()):
            labels.add_metric([name], count)
        yield labels
        yield GaugeMetricFamily("doi_ext_dois_total", "Managed DOIs.", value=s.total)
        yield GaugeMetricFamily(
            "doi_ext_dois_out_of_sync",
            "DOIs whose DataCite side differs from the desired one.",
            value=s.out_of_sync,
        )
        yield GaugeMetricFamily(
            "doi_ext_dois_failed",
            "DOIs DataCite refused permanently (not retried by themselves).",
            value=s.failed,
        )
        yield GaugeMetricFamily(
            "doi_ext_oldest_out_of_sync_seconds",
            "Age of the longest-waiting out-of-sync DOI (0 when all are in sync).",
            value=s.oldest_out_of_sync_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "doi_ext_oldest_due_seconds",
            "How long the most overdue DOI has waited for a worker (0 when none is due).",
            value=s.oldest_due_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "doi_ext_breaker_open",
            "1 while the default account's breaker pauses its calls to DataCite.",
            value=int(s.breaker_open),
        )
        yield GaugeMetricFamily(
            "doi_ext_breaker_consecutive_failures",
            "Consecutive 5xx or connection failures counted by the default account's breaker.",
            value=s.breaker_failures,
        )
        open_by_account = GaugeMetricFamily(
            "doi_ext_account_breaker_open",
            "1 while an account's breaker pauses its calls to DataCite.",
            labels=["account"],
        )
        failures_by_account = GaugeMetricFamily(
            "doi_ext_account_breaker_consecutive_failures",
            "Consecutive 5xx or connection failures counted by an account's breaker.",
            labels=["account"],
        )
        for account, state in sorted(s.breakers.items()):
            open_by_account.add_metric([account], int(state["open"]))
            failures_by_account.add_metric([account], state["consecutive_failures"])
        yield open_by_account
        yield failures_by_account
        calls = CounterMetricFamily(
            "doi_ext_datacite_calls",
            "Calls sent to DataCite, by outcome class and HTTP status class.",
            labels=["outcome", "status_class"],
        )
        for (outcome, status_class), count in sorted(s.calls.items()):
            calls.add_metric([outcome, status_class], count)
        yield calls
        waits = CounterMetricFamily(
            "doi_ext_rate_limit_waits",
            "Calls held back by a rate limit: local (no slot of ours in time, nothing sent) "
            "or datacite (a 429).",
            labels=["source"],
        )
        for source, count in sorted(s.rate_limit_waits.items()):
            waits.add_metric([source], count)
        yield waits


def exposition(summary: Summary) -> bytes:
    """The text a Prometheus scrape receives."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SummaryCollector(summary))
    return generate_latest(registry)
