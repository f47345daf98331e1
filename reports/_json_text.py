"""JSON text, the same as the standard library's `json.dumps(..., ensure_ascii=False)` writes
it, made by msgspec's C encoder at a fraction of the time: a large estate's reports are tens of
megabytes of it.

What msgspec refuses and json.dumps takes (a subclass of str or int other than an enum, such
as the markupsafe.Markup a plugin rule may put in a finding; a dict key that is None or a
bool) is encoded by json.dumps, as before. msgspec writes a float NaN or infinity as null where
json.dumps writes `NaN`, and exponents without a sign or zero padding: no report holds a float
(the inputs refuse NaN, and tests check the reports for floats).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_encode = msgspec.json.Encoder().encode
_format = msgspec.json.format


def compact(value: Any) -> bytes:
    """UTF-8 of json.dumps(value, ensure_ascii=False, separators=(",", ":"))."""
    try:
        return _encode(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compact_text(value: Any) -> str:
    return compact(value).decode("utf-8")


def one_line(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False): one line, a space after each `,` and `:`."""
    return _format(compact(value), indent=0).decode("utf-8")


def indented(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False, indent=2)."""
    return _format(compact(value), indent=2).decode("utf-8")
