"""Every wait of a collection goes through one budget: capped, announced, shared by threads.

Two documented limits (docs/collection.md):

- one wait (a `Retry-After`, a quota reset, a back-off) is at most `max_single` seconds;
- all waits together are at most `max_total` seconds (`--max-wait`). Waits that overlap in
  time (several queries held by the same quota reset) count once: the budget is the time
  during which the collection was held up, not the sum over threads.

A wait beyond either limit is not started: `WaitRefused` says why, and the request it was for
fails (the scope becomes a recorded gap). Each new wait of a second or more is announced,
so a long run never waits in silence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from auditor.collect.clock import Clock
from auditor.collect.retry import seconds

ANNOUNCE_FROM = 1.0  # shorter waits are routine pacing, not worth a line


class WaitRefused(Exception):
    """A wait egress-audit will not make; the message says what was asked and the limit."""


class WaitBudget:
    def __init__(
        self,
        clock: Clock,
        *,
        max_single: float,
        max_total: float,
        announce: Callable[[float, str], None] | None = None,
    ) -> None:
        self._clock = clock
        self.max_single = max_single
        self.max_total = max_total
        self.announce: Callable[[float, str], None] = announce or (lambda wait, why: None)
        self._lock = threading.Lock()
        self._spent = 0.0
        self._held_until = float("-inf")  # end of the latest wait charged
        self._announced_until = float("-inf")

    @property
    def spent(self) -> float:
        with self._lock:
            return self._spent

    def wait(self, delay: float, reason: str, accepted: Callable[[], None] = lambda: None) -> None:
        """Sleep `delay` seconds for `reason`, or raise WaitRefused beyond the limits.
        `accepted` runs once the wait is granted, before the sleep."""
        if delay <= 0:
            return
        if delay > self.max_single:
            raise WaitRefused(
                f"asked to wait {seconds(delay)}, longer than the "
                f"{seconds(self.max_single)} egress-audit waits at once"
            )
        with self._lock:
            now = self._clock.monotonic()
            start = max(now, self._held_until)
            extra = max(0.0, now + delay - start)
            if self._spent + extra > self.max_total:
                raise WaitRefused(
                    f"waiting {seconds(delay)} more would exceed the --max-wait "
                    f"budget of {seconds(self.max_total)} ({seconds(self._spent)} already "
                    "spent waiting)"
                )
            self._spent += extra
            self._held_until = max(self._held_until, now + delay)
            announce = delay >= ANNOUNCE_FROM and now + delay > self._announced_until
            if announce:
                self._announced_until = now + delay
        accepted()
        if announce:
            self.announce(delay, reason)
        self._clock.sleep(delay)
