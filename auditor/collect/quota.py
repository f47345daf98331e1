"""Resource Graph's per-user query quota, honoured by every thread of one collection.

Each response says how many queries are left in the current window and when it resets
(`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`). Threads share one view of it:
a request may start only while the window has queries left. Every view errs low: requests
still in flight count as already spent, and within one window (the same reset time, give or
take the header's one-second resolution) a response that arrives late, reporting more left
than we know of, never raises the count. After a 429, nobody sends
until the wait it asked for is over.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from auditor.collect.clock import Clock
from auditor.collect.retry import quota

# `resets-after` has whole seconds: a reset further than this from ours is another window.
SAME_WINDOW = 1.0


class QuotaGate:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._remaining: int | None = None  # None: unknown, do not hold
        self._resets_at = float("-inf")
        self._hold_until = float("-inf")
        self._in_flight = 0

    def try_acquire(self) -> tuple[float, str]:
        """(0, "") when a request may start now (it is then in flight), else how long to
        wait and why."""
        with self._lock:
            now = self._clock.monotonic()
            if now >= self._resets_at:
                self._remaining = None
            if self._hold_until > now:
                return self._hold_until - now, "Resource Graph throttled this user"
            if self._remaining is not None and self._remaining <= 0:
                return self._resets_at - now, "Resource Graph query quota used up until it resets"
            if self._remaining is not None:
                self._remaining -= 1
            self._in_flight += 1
            return 0.0, ""

    def release(self, headers: Mapping[str, str]) -> None:
        """A request finished (answered or not); `headers` are its response's, lower-case."""
        with self._lock:
            self._in_flight -= 1
            window = quota(headers)
            if window is None:
                return
            remaining, resets_after = window
            now = self._clock.monotonic()
            left = max(0, remaining - self._in_flight)
            resets_at = now + resets_after
            new_window = now >= self._resets_at or abs(resets_at - self._resets_at) > SAME_WINDOW
            if self._remaining is None or new_window:
                self._remaining, self._resets_at = left, resets_at
            else:
                self._remaining = min(self._remaining, left)

    def hold(self, delay: float) -> None:
        """Nobody sends for `delay` seconds (the service asked a thread to wait that long)."""
        with self._lock:
            self._hold_until = max(self._hold_until, self._clock.monotonic() + delay)
