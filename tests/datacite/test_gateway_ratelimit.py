"""The local moving-window limiter, in memory and in Redis."""

from __future__ import annotations

import uuid

import pytest
from gateway_helpers import REDIS_URI, redis_reachable

from invenio_doi_ext.datacite import RateLimiter


def test_try_acquire_counts_slots():
    limiter = RateLimiter("3 per 1 minute", "memory://", key=uuid.uuid4().hex)
    assert [limiter.try_acquire() for _ in range(4)] == [True, True, True, False]


def test_acquire_times_out_when_the_window_is_full():
    limiter = RateLimiter("1 per 1 minute", "memory://", key=uuid.uuid4().hex)
    assert limiter.acquire(timeout=0)
    assert limiter.acquire(timeout=0.05) is False


def test_acquire_waits_for_the_window_to_free_a_slot():
    limiter = RateLimiter("2 per 1 second", "memory://", key=uuid.uuid4().hex)
    assert limiter.acquire() and limiter.acquire()
    assert limiter.try_acquire() is False
    assert limiter.acquire(timeout=5) is True


def test_acquire_sleeps_in_short_steps():
    sleeps = []
    limiter = RateLimiter("1 per 1 hour", "memory://", key=uuid.uuid4().hex, sleep=sleeps.append)
    clock = iter(range(0, 10_000, 1))
    limiter._clock = lambda: float(next(clock))
    limiter.try_acquire()
    assert limiter.acquire(timeout=3) is False
    assert sleeps and all(0 < pause <= 0.5 for pause in sleeps)


def test_clear_forgets_hits():
    limiter = RateLimiter("1 per 1 hour", "memory://", key=uuid.uuid4().hex)
    assert limiter.try_acquire() and not limiter.try_acquire()
    limiter.clear()
    assert limiter.try_acquire()


def test_repr_hides_the_storage_uri():
    limiter = RateLimiter("1 per 1 hour", "memory://")
    assert "1 per 1 hour" in repr(limiter) and "memory://..." in repr(limiter)


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_redis_storage_is_shared_between_limiters():
    key = "invenio-doi-ext-test:" + uuid.uuid4().hex
    one = RateLimiter("3 per 1 minute", REDIS_URI, key=key)
    two = RateLimiter("3 per 1 minute", REDIS_URI, key=key)
    try:
        assert one.try_acquire() and two.try_acquire() and one.try_acquire()
        assert two.try_acquire() is False
        assert one.acquire(timeout=0.05) is False
    finally:
        one.clear()
    assert two.try_acquire()
    two.clear()


def test_memory_storages_are_separate_per_limiter():
    key = uuid.uuid4().hex
    one = RateLimiter("1 per 1 minute", "memory://", key=key)
    two = RateLimiter("1 per 1 minute", "memory://", key=key)
    assert one.try_acquire() and two.try_acquire()
