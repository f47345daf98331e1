"""What every report shows of its inputs is bounded: each string from a snapshot, a policy, a
manifest or Azure is cut at `MAX_SHOWN` characters (with a note of how many were left out).

A 20 MB name repeated in each finding about it made a 1.84 GB SARIF file. The cut happens at
output only: the audit itself (IDs, fingerprints, matching) always works on the whole value.
The text and Markdown reporters cut field by field (see `shown` and markdown.escape); the JSON
and SARIF reporters pass their documents through `capped`.
"""

from __future__ import annotations

from typing import Any

from auditor.safetext import MAX_SHOWN, cap, escape_controls, shown
from auditor.wording import counted

__all__ = ["MAX_LISTED", "MAX_SHOWN", "cap", "capped", "escape_controls", "more_listed", "shown"]

# How many items of a list about the estate (unknown resources, unread scopes, warnings) the
# text and Markdown reports name before pointing at the JSON report, which has them all.
MAX_LISTED = 20


def more_listed(total: int, noun: str) -> str | None:
    """`… and 3 more resources (see the JSON report)` after the first MAX_LISTED of `total`
    items; None when all were listed."""
    if total <= MAX_LISTED:
        return None
    return f"… and {counted(total - MAX_LISTED, f'more {noun}')} (see the JSON report)"


def capped(value: Any, limit: int = MAX_SHOWN) -> Any:
    """A JSON-like document with every string value longer than `limit` cut. Containers are
    copied only where something was cut, so the common case allocates nothing."""
    kind = type(value)
    if kind is str:
        return value if len(value) <= limit else cap(value, limit)
    if kind is dict:
        changed: dict[Any, Any] | None = None
        for key, item in value.items():
            if type(item) is str and len(item) <= limit:  # the hot path of a large report
                continue
            bounded = _bounded_item(item, limit)
            if bounded is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = bounded
        return value if changed is None else changed
    if kind is list:
        out: list[Any] | None = None
        for index, item in enumerate(value):
            if type(item) is str and len(item) <= limit:
                continue
            bounded = _bounded_item(item, limit)
            if bounded is not item:
                if out is None:
                    out = list(value)
                out[index] = bounded
        return value if out is None else out
    return value


def _bounded_item(item: Any, limit: int) -> Any:
    kind = type(item)
    if kind is str:
        return item if len(item) <= limit else cap(item, limit)
    if kind is dict or kind is list:
        return capped(item, limit)
    return item
