"""Reading input files with one-line errors, and atomic writes: a reader never sees a
half-written snapshot or report."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from auditor.errors import InputError


def _current_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# Read once at import: reading it means setting it, which is not safe while other threads write.
_UMASK = _current_umask()


def read_text(path: Path, source: str | None = None) -> str:
    """A UTF-8 text file, or an InputError naming it (`source`, else the path). A leading
    byte-order mark, which Windows tools write, is not content."""
    name = source or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(name, "", "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "", "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(name, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{name}:{line}",
            "",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot start or continue a character)",
        ) from None


class _NotJson(ValueError):
    """NaN and Infinity: Python's json reads them, but they are not JSON (RFC 8259)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(name)


# String literals (skipped) and the tokens json.loads refuses without saying where.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)|([0-9]{4301,})')


def parse_json(text: str, source: str) -> Any:
    """A JSON document, or an InputError naming the file and the place of the problem."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(source, "", "invalid JSON: nested too deeply") from None
    except ValueError as exc:  # NaN or Infinity, or an integer past Python's digit limit
        constant = isinstance(exc, _NotJson)
        where = _place_of(text, 1 if constant else 2)
        problem = (
            f"{exc} is not a number JSON allows"
            if constant
            else "a number of more than 4,300 digits"
        )
        raise InputError(source, where, f"invalid JSON: {problem}") from None


def _place_of(text: str, group: int) -> str:
    """`line L column C` of the first token of a `_JSON_TOKEN` group (error path only)."""
    for match in _JSON_TOKEN.finditer(text):
        if match.group(group) is not None:
            start = match.start()
            line = text.count("\n", 0, start) + 1
            return f"line {line} column {start - text.rfind(chr(10), 0, start)}"
    return ""


def write_text_atomic(text: str, path: Path) -> None:
    """Write via a temporary file in the same folder, then rename over the target."""
    write_bytes_atomic(text.encode("utf-8"), path)


def write_bytes_atomic(data: bytes, path: Path) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
