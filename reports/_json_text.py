"""JSON text, the same as the standard library's `json.dumps(..., ensure_ascii=False)` writes
it, made by msgspec's C encoder at a fraction of the time: a large estate's reports are tens of
megabytes of it.

msgspec writes a float NaN or infinity as null where json.dumps writes `NaN`: no report holds a
float (the inputs refuse NaN, and tests check the reports for floats).
"""

from __future__ import annotations

from typing import Any

import msgspec

_encode = msgspec.json.Encoder().encode
_format = msgspec.json.format


def compact(value: Any) -> bytes:
    """UTF-8 of json.dumps(value, ensure_ascii=False, separators=(",", ":"))."""
    return _encode(value)


def compact_text(value: Any) -> str:
    return _encode(value).decode("utf-8")


def one_line(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False): one line, a space after each `,` and `:`."""
    return _format(_encode(value), indent=0).decode("utf-8")


def indented(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False, indent=2)."""
    return _format(_encode(value), indent=2).decode("utf-8")
