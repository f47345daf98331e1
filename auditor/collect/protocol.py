"""One Resource Graph page, checked against the protocol before anything trusts it.

The page is read from the JSON body as sent (not from the SDK's model, which turns `8.5` or
`"8"` into 8 and a missing field into None). A page must carry `totalRecords` and `count`
(whole numbers), `data` (a list of objects, `count` long) and `resultTruncated` (`"true"` or
`"false"`, a string on the wire); `$skipToken`, when present, is a non-empty string.
Anything else raises `ProtocolError`, whose message names what was wrong without echoing
unbounded server text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]

REQUIRED = ("totalRecords", "count", "data", "resultTruncated")
MAX_TOKEN = 64 * 1024  # a skip token is an opaque cursor, not a payload


class ProtocolError(Exception):
    """A response that does not follow the Resource Graph protocol."""


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    total_records: int
    truncated: bool  # resultTruncated == "true"
    skip_token: str | None
    headers: Mapping[str, str]  # lower-case names


def count_text(value: int) -> str:
    """A row count for a message: digits only while they mean something."""
    return f"{value:,}" if value < 10**15 else "more than 10¹⁵"


def _whole(body: Mapping[str, Any], key: str) -> int:
    value = body[key]
    if type(value) is not int or value < 0:
        raise ProtocolError(f"{key} is not a whole number")
    return value


def parse_page(body: Any, headers: Mapping[str, str]) -> Page:
    if not isinstance(body, dict):
        what = "empty" if body is None else f"a JSON {_json_kind(body)}, not an object"
        raise ProtocolError(f"the response body is {what}")
    missing = [key for key in REQUIRED if key not in body or body[key] is None]
    if missing:
        raise ProtocolError(f"the page lacks {', '.join(missing)}")
    total = _whole(body, "totalRecords")
    count = _whole(body, "count")
    data = body["data"]
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise ProtocolError("data is not a list of rows (objects)")
    if count != len(data):
        raise ProtocolError(f"count says {count_text(count)} rows, data holds {len(data):,}")
    truncated = body["resultTruncated"]
    if truncated not in ("true", "false"):
        raise ProtocolError('resultTruncated is neither "true" nor "false"')
    token = body.get("$skipToken")
    if token is not None and (not isinstance(token, str) or len(token) > MAX_TOKEN):
        raise ProtocolError("$skipToken is not a string of reasonable length")
    return Page(
        rows=data,
        total_records=total,
        truncated=truncated == "true",
        skip_token=token or None,
        headers=headers,
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "value"
