"""Rows kept as the JSON text a snapshot file holds them in."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import msgspec

from auditor.errors import InputError

Row = Mapping[str, Any]


class RawRows(Sequence[Row]):
    """Rows kept as the JSON text a snapshot file holds them in, decoded into dicts only
    when asked (writing the snapshot again, a test). The graph decodes them typed, straight
    from the text (auditor/decode.py), and never needs the dicts."""

    __slots__ = ("_rows", "raw", "source", "where")

    def __init__(self, raw: msgspec.Raw, source: str, where: str) -> None:
        self.raw = raw
        self.source = source
        self.where = where
        self._rows: list[Row] | None = None

    def _decoded(self) -> list[Row]:
        if self._rows is None:
            self._rows = _decode_untyped(self.raw, self.source, self.where)
        return self._rows

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        return self._decoded()[index]

    def __len__(self) -> int:
        return len(self._decoded())

    def __iter__(self) -> Iterator[Row]:
        return iter(self._decoded())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def owned(self) -> RawRows:
        """The same rows holding their own copy of the text, not the whole file's."""
        return RawRows(self.raw.copy(), self.source, self.where)


def _decode_untyped(raw: msgspec.Raw, source: str, where: str) -> list[Row]:
    """Rows as dicts. A number msgspec does not hold as a Python value (past 64 bits, or a
    float out of range) is read by json, which refuses only integers of more than 4,300
    digits."""
    try:
        rows: list[Row] = msgspec.json.decode(raw)
    except msgspec.ValidationError:
        try:
            rows = json.loads(bytes(raw))
        except ValueError:
            raise InputError(source, where, "a number of more than 4,300 digits") from None
    return rows
