"""Resource Graph's per-user query quota, honoured by every thread of one collection.

Each response says how many queries are left in the current window and when it resets
(`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`); the service counts a query
when it arrives. Threads share one view of it, and the view errs low: a request may start
only while the window has queries left by the most cautious reading, in which requests
still in flight count as spent and a late answer within one window (the same reset time,
give or take the header's one-second resolution) never raises the count. When that reading
says none are left while requests are in flight, the gate polls briefly instead of holding
for the whole window: once nothing is in flight, the lowest count the window reported is
exact. After a 429, nobody sends until the wait it asked for is over. When a window ends,
the next one is taken to hold no more queries than the most any window was seen to hold, until
an answer reports it: threads must not burst past the quota while its count is unknown.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from auditor.collect.clock import Clock
from auditor.collect.retry import quota

# `resets-after` has whole seconds: a reset further than this from ours is another window.
SAME_WINDOW = 1.0
# Resource Graph's quota window (azure-wire.md: 15 queries per 5 seconds per user).
WINDOW = 5.0
POLL = 0.05  # seconds between looks while answers that settle the count are in flight
USED_UP = "Resource Graph query quota used up until it resets"


class QuotaGate:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._remaining: int | None = None  # None: unknown, do not hold
        self._lowest = 0  # lowest count reported in this window
        self._resets_at = float("-inf")
        self._hold_until = float("-inf")
        self._in_flight = 0
        self._capacity: int | None = None  # the most queries a window was seen to allow
        self._window = WINDOW  # the longest window an answer reported
        self._told = False  # whether an answer has told the current window's end

    def try_acquire(self) -> tuple[float, str]:
        """(0, "") when a request may start now (it is then in flight), else how long to
        wait and why."""
        with self._lock:
            now = self._clock.monotonic()
            if now >= self._resets_at:
                # A new window: unknown until an answer tells, but no larger than any seen.
                capacity = self._capacity
                self._remaining = None if capacity is None else max(0, capacity - self._in_flight)
                self._lowest = 0 if capacity is None else capacity
                # Until an answer tells the new window's end, take the longest seen.
                self._resets_at = now + self._window
                self._told = False
            if self._hold_until > now:
                return self._hold_until - now, "Resource Graph throttled this user"
            if self._remaining is not None and self._remaining <= 0:
                if self._in_flight:
                    return min(POLL, self._resets_at - now), USED_UP
                return self._resets_at - now, USED_UP
            if self._remaining is not None:
                self._remaining -= 1
            self._in_flight += 1
            return 0.0, ""

    def release(self, headers: Mapping[str, str]) -> None:
        """A request finished (answered or not); `headers` are its response's, lower-case."""
        with self._lock:
            self._in_flight -= 1
            window = quota(headers)
            if window is not None:
                self._note(*window)
            elif self._remaining is not None:
                self._lowest = max(0, self._lowest - 1)  # counted, most likely, but not told
            if self._in_flight == 0 and self._remaining is not None:
                self._remaining = self._lowest  # every request sent has been counted

    def _note(self, remaining: int, resets_after: float) -> None:
        now = self._clock.monotonic()
        resets_at = now + resets_after
        left = max(0, remaining - self._in_flight)
        # This request was counted too: a window holds at least what was left plus it.
        self._capacity = max(self._capacity or 0, remaining + 1)
        self._window = max(self._window, resets_after)
        new_window = now >= self._resets_at or abs(resets_at - self._resets_at) > SAME_WINDOW
        if self._remaining is None or not self._told or new_window:
            # The first reading of a window sets it (a guessed end gives way to a told one).
            self._remaining, self._lowest, self._resets_at = left, remaining, resets_at
            self._told = True
        else:
            self._remaining = min(self._remaining, left)
            self._lowest = min(self._lowest, remaining)

    def hold(self, delay: float) -> None:
        """Nobody sends for `delay` seconds (the service asked a thread to wait that long)."""
        with self._lock:
            self._hold_until = max(self._hold_until, self._clock.monotonic() + delay)
