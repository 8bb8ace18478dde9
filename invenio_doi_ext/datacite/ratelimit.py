"""A client-side rate limit in front of DataCite.

DataCite counts requests per IP address over 5 minutes and answers a burst with
429 from its firewall. Waiting here is cheaper than provoking that: the lifecycle
would otherwise spend attempts and backoff on its own burst. A moving window holds
the limit over *any* window of that length (a fixed window lets through twice the
limit across a boundary), and a Redis storage shares the count between every worker
process and machine of the instance, which all leave from the same addresses.

Why not ``limits``' moving window as it is: it stamps a request when the slot is
taken, while DataCite counts it when it *arrives*, some time later (network,
a busy machine scheduling the thread). Two requests whose gaps differ then fall
into one window at DataCite although they were a window apart here, and a limiter
set to DataCite's own number still meets 429s; a safety margin only trades them
for lost throughput. Here a slot is held while its request is in flight and is
stamped again when the answer comes back. A request always arrives before its
answer, so a slot freed one window after the answer can never overlap it at
DataCite: the limit can be DataCite's own number and no 429 follows. ``limits``
still parses the rate and builds the storage (Redis, Sentinel, Cluster, memory);
storages without a Redis connection fall back to its moving window.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from limits import parse
from limits.storage import MemoryStorage, RedisStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger("invenio_doi_ext.datacite")

#: Longest single sleep while waiting for a slot, so a slot freed early is seen soon.
MAX_SLEEP = 0.5

#: Shortest sleep, so that a window stat a hair in the past does not spin.
MIN_SLEEP = 0.01

#: How long a slot whose answer never came (its worker died) counts as in flight.
DEFAULT_HOLD = 60.0


@dataclass(frozen=True)
class Slot:
    """One request's place in the window; hand it back with ``release`` once answered."""

    member: str


class _MemorySlots:
    """The window of one process: {member: time it counts from} under a lock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._slots: dict[str, float] = {}

    def take(self, limit: int, window: float, hold: float) -> tuple[str | None, float]:
        with self._lock:
            now = self._clock()
            for member in [m for m, at in self._slots.items() if at <= now - window]:
                del self._slots[member]
            if len(self._slots) < limit:
                member = uuid.uuid4().hex
                self._slots[member] = now + hold
                return member, 0.0
            return None, min(self._slots.values()) + window - now

    def stamp(self, member: str) -> None:
        with self._lock:
            if member in self._slots:
                self._slots[member] = self._clock()

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()


# KEYS[1] the window; ARGV limit, window ms, hold ms, member. Redis's clock, so that
# workers on several machines agree (Redis before 5 needs replicate_commands for a
# write after TIME). Returns {1, 0} when taken, {0, wait ms} if not.
_TAKE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window + tonumber(ARGV[3]) + 1000)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
"""

# KEYS[1] the window; ARGV member. The answer came: the slot counts from now.
_STAMP = """
if redis.replicate_commands then redis.replicate_commands() end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[1], t[1] * 1000 + math.floor(t[2] / 1000), ARGV[1])
end
return 0
"""


class _RedisSlots:
    """The window shared by every process through one Redis sorted set."""

    def __init__(self, connection: Any, key: str) -> None:
        self._connection = connection
        self._key = key
        self._take = connection.register_script(_TAKE)
        self._stamp = connection.register_script(_STAMP)

    def take(self, limit: int, window: float, hold: float) -> tuple[str | None, float]:
        member = uuid.uuid4().hex
        taken, wait_ms = self._take(
            keys=[self._key], args=[limit, int(window * 1000), int(hold * 1000), member]
        )
        return (member, 0.0) if int(taken) else (None, int(wait_ms) / 1000.0)

    def stamp(self, member: str) -> None:
        self._stamp(keys=[self._key], args=[member])

    def clear(self) -> None:
        self._connection.delete(self._key)


class _LimitsWindow:
    """``limits``' own moving window, for storages without a Redis connection.

    It counts a request when its slot is taken; keep a margin under DataCite's limit.
    """

    def __init__(self, storage: Any, item: Any, key: str, clock: Callable[[], float]) -> None:
        self._strategy = MovingWindowRateLimiter(storage)
        self._item = item
        self._key = key
        self._clock = clock

    def take(self, limit: int, window: float, hold: float) -> tuple[str | None, float]:
        if self._strategy.hit(self._item, self._key):
            return uuid.uuid4().hex, 0.0
        reset_time, _remaining = self._strategy.get_window_stats(self._item, self._key)
        return None, reset_time - self._clock()

    def stamp(self, member: str) -> None:
        """Nothing to do: the hit was stamped when taken."""

    def clear(self) -> None:
        self._strategy.clear(self._item, self._key)


class RateLimiter:
    """``acquire`` a slot before each DataCite request, ``release`` it when answered.

    ``rate`` is a ``limits`` rate string (``"700 per 5 minutes"``); ``storage_uri`` a
    ``limits`` storage URI (``"redis://127.0.0.1:6379/0"`` or ``"memory://"``). Every
    limiter with the same Redis storage and ``key`` shares one window; a ``memory://``
    limiter has a window of its own. ``hold`` bounds how long a slot counts as in
    flight when it is never released (the worker died mid-call); set it to the
    longest a request can take (the gateway passes its timeouts).
    """

    def __init__(
        self,
        rate: str,
        storage_uri: str = "memory://",
        *,
        key: str = "invenio-doi-ext:datacite",
        hold: float = DEFAULT_HOLD,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.item = parse(rate)
        self.storage_uri = storage_uri
        self.key = key
        self.hold = float(hold)
        self._clock = clock
        self._sleep = sleep
        storage = storage_from_string(storage_uri)
        if isinstance(storage, MemoryStorage):
            self._slots: Any = _MemorySlots(clock)
        elif isinstance(storage, RedisStorage):
            self._slots = _RedisSlots(storage.get_connection(), f"{key}:slots")
        else:
            self._slots = _LimitsWindow(storage, self.item, key, clock)

    def __repr__(self) -> str:
        # The storage URI may carry a Redis password: show only its scheme.
        scheme = self.storage_uri.split(":", 1)[0]
        return f"RateLimiter({self.rate!r}, storage={scheme}://..., key={self.key!r})"

    @property
    def window(self) -> float:
        """The window's length in seconds."""
        return float(self.item.get_expiry())

    @property
    def holds_until_answered(self) -> bool:
        """Whether a slot counts from its answer (False: from when it was taken)."""
        return not isinstance(self._slots, _LimitsWindow)

    def _take(self) -> tuple[Slot | None, float]:
        member, wait = self._slots.take(self.item.amount, self.window, self.hold)
        return (Slot(member) if member else None), wait

    def try_acquire(self) -> Slot | None:
        """Take a slot if one is free now; never waits."""
        return self._take()[0]

    def acquire(self, timeout: float | None = None) -> Slot | None:
        """Take a slot, sleeping until the window frees one; None after ``timeout``.

        ``timeout=None`` waits as long as it takes.
        """
        deadline = None if timeout is None else self._clock() + timeout
        waited = False
        while True:
            slot, wait = self._take()
            if slot is not None:
                if waited:
                    logger.debug("rate limit %s: slot acquired after waiting", self.rate)
                return slot
            now = self._clock()
            if deadline is not None and now >= deadline:
                logger.debug("rate limit %s: no slot within %.1fs", self.rate, timeout)
                return None
            pause = min(max(wait, MIN_SLEEP), MAX_SLEEP)
            if deadline is not None:
                pause = min(pause, max(deadline - now, MIN_SLEEP))
            if not waited:
                logger.debug("rate limit %s reached: waiting for a slot", self.rate)
                waited = True
            self._sleep(pause)

    def release(self, slot: Slot) -> None:
        """The request of ``slot`` was answered (or given up): its window starts now."""
        self._slots.stamp(slot.member)

    def clear(self) -> None:
        """Forget the slots counted under this key (tests and operators only)."""
        self._slots.clear()


@dataclass(frozen=True)
class StackedSlot(Slot):
    """A slot of the shared limiter, with the slot of the account's own limiter."""

    own: Slot | None = None


class StackedLimiter:
    """The instance's shared limit, then one account's own: a request needs a slot of both.

    DataCite limits requests per client IP, so the shared limiter bounds what every
    account sends together; an account's own limit only keeps one account from
    taking the whole allowance.
    """

    def __init__(self, shared: RateLimiter, own: RateLimiter, clock: Callable[[], float] = time.time) -> None:
        self.shared = shared
        self.own = own
        self._clock = clock

    def __repr__(self) -> str:
        return f"StackedLimiter({self.shared!r}, {self.own!r})"

    @property
    def rate(self) -> str:
        """The shared rate (what DataCite allows the instance)."""
        return self.shared.rate

    def acquire(self, timeout: float | None = None) -> StackedSlot | None:
        """A slot of both limiters, or None after ``timeout``.

        The account's own slot is taken first: an account over its own limit never
        uses up a slot of the shared window, which the other accounts need. (A slot
        handed back unused still counts in its window: ``RateLimiter`` cannot cancel.)
        """
        deadline = None if timeout is None else self._clock() + timeout
        own = self.own.acquire(timeout)
        if own is None:
            return None
        remaining = None if deadline is None else max(deadline - self._clock(), 0.0)
        shared = self.shared.acquire(remaining)
        if shared is None:
            self.own.release(own)
            return None
        return StackedSlot(shared.member, own)

    def release(self, slot: Slot) -> None:
        """Both requests' windows start now."""
        self.shared.release(Slot(slot.member))
        own = getattr(slot, "own", None)
        if own is not None:
            self.own.release(own)

    def clear(self) -> None:
        """Forget the slots of both limiters (tests and operators only)."""
        self.shared.clear()
        self.own.clear()
