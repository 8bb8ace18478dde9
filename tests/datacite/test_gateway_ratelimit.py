"""The local limiter: a moving window whose slots count from the answer, in memory and in Redis."""

from __future__ import annotations

import uuid

import pytest
from gateway_helpers import REDIS_URI, redis_reachable

from invenio_doi_ext.datacite import RateLimiter


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_try_acquire_counts_slots():
    limiter = RateLimiter("3 per 1 minute", "memory://", key=uuid.uuid4().hex)
    slots = [limiter.try_acquire() for _ in range(4)]
    assert [slot is not None for slot in slots] == [True, True, True, False]
    assert len({slot.member for slot in slots[:3]}) == 3


def test_acquire_times_out_when_the_window_is_full():
    limiter = RateLimiter("1 per 1 minute", "memory://", key=uuid.uuid4().hex)
    assert limiter.acquire(timeout=0) is not None
    assert limiter.acquire(timeout=0.05) is None


def test_acquire_waits_for_the_window_to_free_a_slot():
    limiter = RateLimiter("2 per 1 second", "memory://", key=uuid.uuid4().hex)
    for slot in (limiter.acquire(), limiter.acquire()):
        limiter.release(slot)
    assert limiter.try_acquire() is None
    assert limiter.acquire(timeout=5) is not None


def test_a_slot_counts_from_its_answer_not_from_when_it_was_taken():
    """The reason for the limiter: a slow answer keeps its slot a window past the answer."""
    clock = Clock()
    limiter = RateLimiter("1 per 10 seconds", "memory://", hold=60.0, clock=clock)
    slot = limiter.try_acquire()
    clock.now += 8.0  # the request is slow: answered 8 s after the slot was taken
    limiter.release(slot)
    clock.now += 5.0  # 13 s after taking it, 5 s after the answer
    assert limiter.try_acquire() is None
    clock.now += 5.0  # a full window after the answer
    assert limiter.try_acquire() is not None


def test_a_slot_never_released_frees_itself_after_its_hold():
    """A worker killed mid-call cannot block the window for ever."""
    clock = Clock()
    limiter = RateLimiter("1 per 10 seconds", "memory://", hold=30.0, clock=clock)
    assert limiter.try_acquire() is not None
    clock.now += 39.0
    assert limiter.try_acquire() is None
    clock.now += 1.0
    assert limiter.try_acquire() is not None


def test_releasing_twice_or_after_expiry_changes_nothing():
    clock = Clock()
    limiter = RateLimiter("1 per 10 seconds", "memory://", hold=5.0, clock=clock)
    slot = limiter.try_acquire()
    clock.now += 16.0  # hold (5) + window (10) have passed: the slot is gone
    assert limiter.try_acquire() is not None
    limiter.release(slot)  # late answer of the dead slot: must not come back
    clock.now += 15.1
    assert limiter.try_acquire() is not None


def test_acquire_sleeps_in_short_steps():
    sleeps = []
    limiter = RateLimiter("1 per 1 hour", "memory://", key=uuid.uuid4().hex, sleep=sleeps.append)
    clock = iter(range(0, 10_000, 1))
    limiter._clock = lambda: float(next(clock))
    limiter.try_acquire()
    assert limiter.acquire(timeout=3) is None
    assert sleeps and all(0 < pause <= 0.5 for pause in sleeps)


def test_clear_forgets_slots():
    limiter = RateLimiter("1 per 1 hour", "memory://", key=uuid.uuid4().hex)
    assert limiter.try_acquire() is not None and limiter.try_acquire() is None
    limiter.clear()
    assert limiter.try_acquire() is not None


def test_repr_hides_the_storage_uri():
    limiter = RateLimiter("1 per 1 hour", "memory://")
    assert "1 per 1 hour" in repr(limiter) and "memory://..." in repr(limiter)


def test_memory_storages_are_separate_per_limiter():
    key = uuid.uuid4().hex
    one = RateLimiter("1 per 1 minute", "memory://", key=key)
    two = RateLimiter("1 per 1 minute", "memory://", key=key)
    assert one.try_acquire() is not None and two.try_acquire() is not None
    assert one.holds_until_answered and two.holds_until_answered


@pytest.fixture
def redis_limiter():
    """Limiters on one fresh key of the machine's Redis; the key is removed afterwards."""
    if not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    key = "invenio-doi-ext-test:" + uuid.uuid4().hex
    made = []

    def make(rate: str, **kwargs) -> RateLimiter:
        made.append(RateLimiter(rate, REDIS_URI, key=key, **kwargs))
        return made[-1]

    yield make
    if made:
        made[0].clear()


def test_redis_storage_is_shared_between_limiters(redis_limiter):
    one, two = redis_limiter("3 per 1 minute"), redis_limiter("3 per 1 minute")
    assert all(s is not None for s in (one.try_acquire(), two.try_acquire(), one.try_acquire()))
    assert two.try_acquire() is None
    assert one.acquire(timeout=0.05) is None
    one.clear()
    assert two.try_acquire() is not None


def test_redis_slot_counts_from_its_answer(redis_limiter):
    """Redis's own clock stamps the answer: a slot released late frees late."""
    limiter = redis_limiter("1 per 1 second", hold=30.0)
    slot = limiter.try_acquire()
    assert limiter.holds_until_answered
    # In flight: held past the window, however long the answer takes.
    assert limiter.acquire(timeout=1.3) is None
    limiter.release(slot)
    assert limiter.try_acquire() is None  # the window starts at the answer
    assert limiter.acquire(timeout=2.0) is not None


def test_redis_slot_never_released_frees_itself(redis_limiter):
    limiter = redis_limiter("1 per 1 second", hold=0.5)
    assert limiter.try_acquire() is not None
    assert limiter.try_acquire() is None
    assert limiter.acquire(timeout=3.0) is not None  # hold 0.5 s + window 1 s


def test_other_storages_keep_limits_moving_window(monkeypatch):
    """memcached or MongoDB: no Redis connection to hold slots, limits counts from the send."""
    from limits.storage import MemoryStorage

    from invenio_doi_ext.datacite import ratelimit

    class Elsewhere(MemoryStorage):
        """Stands for a storage that is neither memory nor Redis to the limiter."""

    monkeypatch.setattr(ratelimit, "MemoryStorage", type("Unused", (), {}))
    monkeypatch.setattr(ratelimit, "storage_from_string", lambda uri: Elsewhere())
    limiter = RateLimiter("2 per 1 minute", "memcached://127.0.0.1:11211", key=uuid.uuid4().hex)
    assert not limiter.holds_until_answered
    slots = [limiter.try_acquire() for _ in range(3)]
    assert [slot is not None for slot in slots] == [True, True, False]
    limiter.release(slots[0])  # nothing to move: counted when taken
    assert limiter.try_acquire() is None
    limiter.clear()
    assert limiter.try_acquire() is not None
