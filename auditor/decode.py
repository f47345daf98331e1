"""Typed decoding of JSON with msgspec: straight from a snapshot's bytes (or from the dicts a
collection made) into records of a declared shape, and every error as one line naming the
file and the JSON path, in the words of auditor/reader.py (`expected a list`, `missing`).

msgspec is used because it decodes into typed records without building a dict per object:
the whole file's rows in a fraction of the time and memory of `json.loads` and a walk over
its result.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec

from auditor.errors import InputError
from auditor.reader import MAX_INTEGER

T = TypeVar("T")


class Identified(msgspec.Struct, frozen=True, gc=False):
    """What every resource row must be, whatever its type: an object with an ID."""

    id: str


class AnyObject(msgspec.Struct, frozen=True, gc=False):
    """An object, whatever it holds (its fields are not read)."""


@functools.cache
def _decoder(shape: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(shape)


def decode_list(raw: bytes | msgspec.Raw, shape: type[T], source: str, where: str) -> list[T]:
    """A JSON list of `shape` records, from text whose syntax msgspec has already checked."""
    try:
        result: list[T] = _decoder(list[shape]).decode(raw)  # type: ignore[valid-type]
    except msgspec.ValidationError as exc:
        raise input_error(exc, source, where) from None
    return result


def convert_list(rows: Sequence[Any], shape: type[T], source: str, where: str) -> list[T]:
    """The same records from dicts (a collection, or a file read without msgspec)."""
    try:
        items = rows if isinstance(rows, list) else list(rows)
        return msgspec.convert(items, list[shape], strict=True)  # type: ignore[valid-type]
    except msgspec.ValidationError as exc:
        raise input_error(exc, source, where) from None


_EXPECTED = re.compile(r"Expected `([a-z |]+?)(?: \| null)?`, got `([a-z]+)`")
_BOUND = re.compile(r"Expected `int` [<>]=")
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_AT = re.compile(r" - at `\$(.*)`$", re.DOTALL)
_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "str": "a string",
    "bool": "a boolean",
    "int": "an integer",
}


def input_error(exc: msgspec.ValidationError, source: str, where: str) -> InputError:
    """msgspec's `Expected `int | null`, got `str` - at `$[0].properties.count`` as
    `<where>[0].properties.count: expected an integer`."""
    message = str(exc)
    found = _AT.search(message)
    path = where + (found.group(1) if found else "")
    if missing := _MISSING.match(message):
        return InputError(source, f"{path}.{missing.group(1)}", "missing")
    if _BOUND.match(message) or message.startswith("Integer value out of range"):
        return InputError(
            source, path, f"integer out of range (at most {MAX_INTEGER:,} either way)"
        )
    if expected := _EXPECTED.match(message):
        wanted, got = expected.groups()
        if got == "null" and found and not path.endswith("]"):
            return InputError(source, path, "missing")  # a required field that is null
        names = [_TYPE_NAMES.get(name) for name in wanted.split(" | ")]
        if all(names):
            return InputError(source, path, f"expected {' or '.join(map(str, names))}")
    # Anything else (a number beyond what JSON readers hold, say): msgspec's own words.
    problem = _AT.sub("", message)
    return InputError(source, path, problem[:1].lower() + problem[1:])
