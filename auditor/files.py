"""Reading input files with one-line errors, and atomic writes: a reader never sees a
half-written snapshot or report."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

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
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(name, "", "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "", "is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(name, "", f"cannot read: {exc}") from None


def parse_json(text: str, source: str) -> Any:
    """A JSON document, or an InputError naming the file and the place of the problem."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer past Python's digit limit
        raise InputError(source, "", f"invalid JSON: {exc}") from None


def write_text_atomic(text: str, path: Path) -> None:
    """Write via a temporary file in the same folder, then rename over the target."""
    write_bytes_atomic(text.encode("utf-8"), path)


def write_chunks_atomic(chunks: Iterable[str], path: Path) -> None:
    """write_text_atomic for text made piece by piece (a report streamed by its renderer):
    the pieces are encoded and written as they come, so the whole text is never in memory at
    once; if making them fails, the target is left as it was."""
    write_bytes_atomic(encoded(chunks), path)


def encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    """UTF-8 of `chunks`, joined into blocks of about a megabyte (see `joined`)."""
    return (block.encode("utf-8") for block in joined(chunks))


def joined(chunks: Iterable[str], size: int = 1 << 20) -> Iterator[str]:
    """`chunks` joined into blocks of at least `size` characters (the last may be shorter):
    renderers yield many small pieces, and writing each alone costs more than the text."""
    pending: list[str] = []
    length = 0
    for chunk in chunks:
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


def _write_all(handle: IO[bytes], data: bytes | Iterable[bytes]) -> None:
    if isinstance(data, bytes):
        handle.write(data)
        return
    for block in data:
        handle.write(block)


def write_bytes_atomic(data: bytes | Iterable[bytes], path: Path) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _write_all(handle, data)
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
