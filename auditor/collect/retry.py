"""When to retry a Resource Graph request and how long the server says to wait first.

Resource Graph throttles per user: every response carries `x-ms-user-quota-remaining` and
`x-ms-user-quota-resets-after` (`hh:mm:ss`); a throttled request gets a 429, sometimes with
`Retry-After`. The SDK client is built with `retry_total=0`, so all waiting happens in
egress-audit, through an injectable clock and the wait budget (`waits`).

Headers are untrusted input. A delay is digits (RFC 9110 delay-seconds; a fraction is
tolerated) or an HTTP date; anything else (`nan`, `-5`, `inf`, `1e3`) is ignored and the
computed back-off applies, so a hostile header never means "retry at once". A number too
long to mean anything (300 digits) is a wait longer than any egress-audit accepts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

QUOTA_REMAINING = "x-ms-user-quota-remaining"
QUOTA_RESETS_AFTER = "x-ms-user-quota-resets-after"
RETRY_AFTER = "retry-after"
RETRY_AFTER_MS = ("retry-after-ms", "x-ms-retry-after-ms")

# Longer header values are not parsed at all (they are no number of seconds anyone means).
_MAX_HEADER = 64
_TIMESPAN = re.compile(r"\s*(?:(\d{1,6})\.)?(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d{1,7})?)\s*")
_COUNT = re.compile(r"\s*(\d{1,9})\s*")
_DELAY = re.compile(r"\s*(\d+)(\.\d+)?\s*")
_FOREVER = 1e12  # seconds: what a delay of more than twelve digits stands for


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """Bounds on retrying one request (each page is one request) and on waiting overall."""

    max_attempts: int = 5
    base_delay: float = 2.0  # first computed back-off, doubled per attempt
    max_delay: float = 60.0  # cap on a computed back-off
    # Longest single wait honoured (Retry-After, quota reset); beyond it the request fails.
    max_server_delay: float = 300.0
    # All waiting of one collection together (--max-wait); overlapping waits count once.
    max_total_wait: float = 600.0


def is_retryable(status: int | None) -> bool:
    """429 and 5xx (and timeouts) are worth another try; None is a connection failure."""
    return status is None or status in (408, 429) or status >= 500


def seconds(value: float) -> str:
    """A duration for a message: never a 300-digit number, never `nan`."""
    if not math.isfinite(value) or value > 86_400:
        return "more than a day"
    if value >= 10 or value == int(value):
        return f"{value:,.0f} s"
    return f"{value:.1f} s"


def parse_timespan(text: str) -> float | None:
    """`hh:mm:ss` (optionally `d.hh:mm:ss` and fractional seconds) in seconds, or None."""
    if len(text) > _MAX_HEADER:
        return None
    match = _TIMESPAN.fullmatch(text)
    if match is None:
        return None
    days, hours, minutes, secs = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(secs)


def _number(text: str, scale: float = 1.0) -> float | None:
    """A non-negative number of seconds (digits, divided by `scale`), or None."""
    match = _DELAY.fullmatch(text)
    if match is None:
        return None
    whole, fraction = match.groups()
    if len(whole.lstrip("0")) > 12:
        return _FOREVER
    return float(whole + (fraction or "")) / scale


def _parse_retry_after(text: str, now: datetime) -> float | None:
    value = _number(text)
    if value is not None:
        return value
    if len(text) > _MAX_HEADER:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def server_delay(headers: Mapping[str, str], now: datetime) -> float | None:
    """The wait the service asked for, in seconds, or None if it named none it could mean.

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
            parsed = _number(headers[name], 1000.0)
            if parsed is not None:
                delays.append(parsed)
    if QUOTA_RESETS_AFTER in headers:
        resets = parse_timespan(headers[QUOTA_RESETS_AFTER])
        if resets is not None:
            delays.append(resets)
    return max(delays) if delays else None


def quota(headers: Mapping[str, str]) -> tuple[int, float] | None:
    """(queries remaining, seconds until the window resets) when a response says both."""
    remaining = headers.get(QUOTA_REMAINING, "")
    match = _COUNT.fullmatch(remaining) if len(remaining) <= _MAX_HEADER else None
    resets = parse_timespan(headers.get(QUOTA_RESETS_AFTER, ""))
    if match is None or resets is None:
        return None
    return int(match.group(1)), resets


def backoff(attempt: int, settings: RetrySettings, random: Callable[[], float]) -> float:
    """Exponential back-off with jitter for retry number `attempt` (1-based).

    Half the exponential delay is fixed and half is random ("equal jitter"), so concurrent
    runs spread out but each still waits a meaningful time.
    """
    ceiling = min(settings.max_delay, settings.base_delay * 2.0 ** min(attempt - 1, 30))
    return ceiling / 2 + random() * ceiling / 2
