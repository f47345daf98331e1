"""When to retry a Resource Graph request and how long to wait first.

Resource Graph throttles per user: every response carries `x-ms-user-quota-remaining` and
`x-ms-user-quota-resets-after` (`hh:mm:ss`); a throttled request gets a 429, sometimes with
`Retry-After`. The SDK client is built with `retry_total=0`, so all waiting happens here,
through an injectable clock.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

QUOTA_REMAINING = "x-ms-user-quota-remaining"
QUOTA_RESETS_AFTER = "x-ms-user-quota-resets-after"
RETRY_AFTER = "retry-after"
RETRY_AFTER_MS = ("retry-after-ms", "x-ms-retry-after-ms")


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """Bounds on retrying one request (each page is one request)."""

    max_attempts: int = 5
    base_delay: float = 2.0  # first computed back-off, doubled per attempt
    max_delay: float = 60.0  # cap on a computed back-off
    # Longest server-requested wait we honour; beyond it the request is given up.
    max_server_delay: float = 300.0


def is_retryable(status: int | None) -> bool:
    """429 and 5xx (and timeouts) are worth another try; None is a connection failure."""
    return status is None or status in (408, 429) or status >= 500


def parse_timespan(text: str) -> float | None:
    """`hh:mm:ss` (optionally `d.hh:mm:ss` and fractional seconds) in seconds, or None."""
    match = re.fullmatch(r"\s*(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*", text)
    if match is None:
        return None
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _parse_retry_after(text: str, now: datetime) -> float | None:
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def server_delay(headers: Mapping[str, str], now: datetime) -> float | None:
    """The wait the service asked for, in seconds, or None if it named none.

    `headers` must have lower-case keys. Both `Retry-After` (seconds or an HTTP date, or the
    millisecond variants) and the quota reset time count; when both are present the longer
    one wins, so neither is violated.
    """
    delays: list[float] = []
    if RETRY_AFTER in headers:
        parsed = _parse_retry_after(headers[RETRY_AFTER], now)
        if parsed is not None:
            delays.append(parsed)
    for name in RETRY_AFTER_MS:
        if name in headers:
            with contextlib.suppress(ValueError):
                delays.append(max(0.0, float(headers[name]) / 1000.0))
    if QUOTA_RESETS_AFTER in headers:
        resets = parse_timespan(headers[QUOTA_RESETS_AFTER])
        if resets is not None:
            delays.append(resets)
    return max(delays) if delays else None


def quota_wait(headers: Mapping[str, str]) -> float | None:
    """After a successful response: how long to hold the next request (quota used up), or None."""
    remaining = headers.get(QUOTA_REMAINING)
    if remaining is None:
        return None
    try:
        exhausted = int(remaining.strip()) <= 0
    except ValueError:
        return None
    if not exhausted:
        return None
    return parse_timespan(headers.get(QUOTA_RESETS_AFTER, ""))


def backoff(attempt: int, settings: RetrySettings, random: Callable[[], float]) -> float:
    """Exponential back-off with jitter for retry number `attempt` (1-based).

    Half the exponential delay is fixed and half is random ("equal jitter"), so concurrent
    runs spread out but each still waits a meaningful time.
    """
    ceiling = min(settings.max_delay, settings.base_delay * 2.0 ** (attempt - 1))
    return ceiling / 2 + random() * ceiling / 2
