"""Injected faults and rate limits, classified as the lifecycle needs them."""

from __future__ import annotations

import threading
import uuid

import pytest
from gateway_helpers import REDIS_URI, redis_reachable

from invenio_doi_ext.datacite import OutcomeKind, RateLimiter

DOI = "10.1234/fault-0001"
URL = "https://repo.example.org/doi/10.1234/fault-0001"


@pytest.mark.parametrize(
    ("fault", "status", "message"),
    [
        ("500", 500, "Internal Server Error"),
        ("502_html", 502, "HTTP 502 from DataCite (HTML error page)"),
        ("503_html", 503, "HTTP 503 from DataCite (HTML error page)"),
        ("409", 409, "The resource already exists."),
    ],
)
def test_server_faults_are_retryable(gateway, control, metadata, fault, status, message):
    control.set_faults(queue=[fault])
    outcome = gateway.publish(DOI, metadata, URL)
    assert (outcome.kind, outcome.status) == (OutcomeKind.RETRYABLE, status)
    assert message in outcome.message
    assert "<" not in outcome.message
    assert control.journal()[-1]["fault"] == fault
    retried = gateway.publish(DOI, metadata, URL)  # the queue is used up: the retry lands
    assert retried.ok and retried.state == "findable", retried.message
    assert len(control.dois()) == 1


def test_429_without_retry_after(gateway, control):
    control.set_faults(queue=["429"])
    outcome = gateway.reserve(DOI)
    assert (outcome.kind, outcome.status, outcome.retry_after) == (
        OutcomeKind.RETRYABLE,
        429,
        None,
    )


def test_429_with_retry_after(gateway, control):
    control.set_faults(queue=["429_retry_after"], retry_after=7)
    outcome = gateway.reserve(DOI)
    assert (outcome.kind, outcome.status, outcome.retry_after) == (
        OutcomeKind.RETRYABLE,
        429,
        7.0,
    )


def test_dropped_connection(gateway, control):
    control.set_faults(queue=["drop"])
    outcome = gateway.reserve(DOI)
    assert (outcome.kind, outcome.status) == (OutcomeKind.RETRYABLE, None)
    assert outcome.message
    assert gateway.reserve(DOI).ok


def test_hung_response_times_out(make_gateway, control, metadata):
    gateway = make_gateway(timeout=(1, 1))
    control.set_faults(queue=["timeout"], hang_seconds=10)
    outcome = gateway.publish(DOI, metadata, URL)
    control.clear_faults()  # release the hanging sandbox thread
    # No status: the gateway gave up at its read timeout. Had it waited for the
    # hung sandbox, it would hold the 504 the sandbox answers after hang_seconds.
    assert (outcome.kind, outcome.status) == (OutcomeKind.RETRYABLE, None)
    assert "timeout" in outcome.message
    assert gateway.publish(DOI, metadata, URL).ok


def test_timeout_on_get_and_delete(make_gateway, control):
    gateway = make_gateway(timeout=(1, 1))
    control.seed(DOI, "draft")
    control.set_faults(queue=["timeout", "timeout"], hang_seconds=10)
    assert gateway.get(DOI).kind is OutcomeKind.RETRYABLE
    assert gateway.delete_draft(DOI).kind is OutcomeKind.RETRYABLE
    control.clear_faults()


def test_outage_then_recovery(gateway, control):
    control.outage("503_html")
    outcomes = [gateway.reserve(DOI) for _ in range(3)]
    assert {(o.kind, o.status) for o in outcomes} == {(OutcomeKind.RETRYABLE, 503)}
    control.clear_faults()
    assert gateway.reserve(DOI).ok


def test_random_faults_are_always_classified(gateway, control):
    control.set_faults(
        rate=0.7,
        kinds={"500": 1, "503_html": 1, "502_html": 1, "429": 1, "429_retry_after": 1, "drop": 1},
        seed=42,
    )
    seen = {gateway.update(f"10.1234/r-{n}", {}).kind for n in range(30)}
    assert seen <= {OutcomeKind.SUCCESS, OutcomeKind.RETRYABLE}
    assert OutcomeKind.RETRYABLE in seen


def count_429(control) -> int:
    return sum(1 for entry in control.journal() if entry["status"] == 429)


def test_without_a_limiter_the_sandbox_rate_limit_bites(gateway, control):
    control.seed(DOI, "draft")
    control.set_rate_limit(5, 1.0)
    outcomes = [gateway.get(DOI) for _ in range(20)]
    assert count_429(control) > 0
    limited = [o for o in outcomes if o.status == 429]
    assert limited and all(o.kind is OutcomeKind.RETRYABLE for o in limited)


def test_local_limiter_avoids_429_memory(make_gateway, control):
    # The sandbox's own number, no margin: a slot counts from the answer, and a
    # request reaches the server before its answer comes back.
    limiter = RateLimiter("5 per 1 second", "memory://", key=uuid.uuid4().hex)
    gateway = make_gateway(rate_limiter=limiter)
    control.seed(DOI, "draft")
    control.set_rate_limit(5, 1.0)
    outcomes = [gateway.get(DOI) for _ in range(20)]
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    assert count_429(control) == 0
    assert len(control.journal()) == 20


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_local_limiter_is_shared_through_redis(make_gateway, control):
    """Two gateways (two worker processes) share one count through Redis."""
    key = "invenio-doi-ext-test:" + uuid.uuid4().hex
    one = make_gateway(rate_limiter=RateLimiter("5 per 1 second", REDIS_URI, key=key))
    two = make_gateway(rate_limiter=RateLimiter("5 per 1 second", REDIS_URI, key=key))
    control.seed(DOI, "draft")
    control.set_rate_limit(5, 1.0)
    try:
        outcomes = [(one if n % 2 else two).get(DOI) for n in range(20)]
    finally:
        one.rate_limiter.clear()
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    assert count_429(control) == 0


def test_local_rate_limit_timeout_sends_nothing(make_gateway, control):
    limiter = RateLimiter("1 per 1 minute", "memory://", key=uuid.uuid4().hex)
    gateway = make_gateway(rate_limiter=limiter)
    gateway.rate_limit_wait = 0.1
    assert gateway.get(DOI).ok
    outcome = gateway.get(DOI)
    assert (outcome.kind, outcome.status, outcome.message) == (
        OutcomeKind.RETRYABLE,
        None,
        "local rate limit",
    )
    assert len(control.journal()) == 1


@pytest.mark.parametrize("storage", ["memory://", REDIS_URI])
def test_local_limiter_counts_slow_answers_as_the_server_does(make_gateway, control, storage):
    """Slow answers, then fast ones: a limiter counting from when slots were taken meets 429.

    Three requests take 0.6 s to reach the sandbox's counter; the next three reach it
    at once. Counted from when their slots were taken, the second three would be
    sent one second after the first three but land 0.4 s after them at the sandbox,
    inside its one-second window. Counted from the answers, they wait until the
    sandbox's window has slid past the first three.
    """
    if storage != "memory://" and not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    limiter = RateLimiter("3 per 1 second", storage, key="invenio-doi-ext-test:" + uuid.uuid4().hex)
    gateways = [make_gateway(rate_limiter=limiter) for _ in range(3)]
    control.seed(DOI, "draft")
    control.set_rate_limit(3, 1.0)
    control.set_latency(600)
    outcomes = []
    try:
        threads = [threading.Thread(target=lambda g=g: outcomes.append(g.get(DOI))) for g in gateways]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        control.set_latency(0)
        outcomes += [gateways[0].get(DOI) for _ in range(3)]
    finally:
        limiter.clear()
    assert [o.status for o in outcomes] == [200] * 6
    assert count_429(control) == 0
