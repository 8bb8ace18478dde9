"""A client-side rate limit in front of DataCite.

DataCite counts requests per IP address over 5 minutes and answers a burst with
429 from its firewall. Waiting here is cheaper than provoking that: the lifecycle
would otherwise spend attempts and backoff on its own burst. A moving window holds
the limit over *any* window of that length (a fixed window lets through twice the
limit across a boundary), and a Redis storage shares the count between every worker
process and machine of the instance, which all leave from the same addresses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger("invenio_doi_ext.datacite")

#: Longest single sleep while waiting for a slot, so a slot freed early is seen soon.
MAX_SLEEP = 0.5

#: Shortest sleep, so that a window stat a hair in the past does not spin.
MIN_SLEEP = 0.01


class RateLimiter:
    """``acquire`` one slot before each DataCite request.

    ``rate`` is a ``limits`` rate string (``"700 per 5 minutes"``); ``storage_uri`` a
    ``limits`` storage URI (``"redis://127.0.0.1:6379/0"`` or ``"memory://"``). Every
    limiter with the same storage and ``key`` shares one count.
    """

    def __init__(
        self,
        rate: str,
        storage_uri: str = "memory://",
        *,
        key: str = "invenio-doi-ext:datacite",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.item = parse(rate)
        self.storage_uri = storage_uri
        self.key = key
        self._storage = storage_from_string(storage_uri)
        self._strategy = MovingWindowRateLimiter(self._storage)
        self._clock = clock
        self._sleep = sleep

    def __repr__(self) -> str:
        # The storage URI may carry a Redis password: show only its scheme.
        scheme = self.storage_uri.split(":", 1)[0]
        return f"RateLimiter({self.rate!r}, storage={scheme}://..., key={self.key!r})"

    def try_acquire(self) -> bool:
        """Take a slot if one is free now; never waits."""
        return self._strategy.hit(self.item, self.key)

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, sleeping until the window frees one; False after ``timeout``.

        ``timeout=None`` waits as long as it takes.
        """
        deadline = None if timeout is None else self._clock() + timeout
        waited = False
        while True:
            if self.try_acquire():
                if waited:
                    logger.debug("rate limit %s: slot acquired after waiting", self.rate)
                return True
            now = self._clock()
            if deadline is not None and now >= deadline:
                logger.debug("rate limit %s: no slot within %.1fs", self.rate, timeout)
                return False
            reset_time, _remaining = self._strategy.get_window_stats(self.item, self.key)
            pause = min(max(reset_time - now, MIN_SLEEP), MAX_SLEEP)
            if deadline is not None:
                pause = min(pause, max(deadline - now, MIN_SLEEP))
            if not waited:
                logger.debug("rate limit %s reached: waiting for a slot", self.rate)
                waited = True
            self._sleep(pause)

    def clear(self) -> None:
        """Forget the hits counted under this key (tests and operators only)."""
        self._strategy.clear(self.item, self.key)
