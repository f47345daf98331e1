"""Reading input files with one-line errors, and atomic writes: a reader never sees a
half-written snapshot or report."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from auditor.errors import InputError


def read_text(path: Path, source: str | None = None) -> str:
    """A UTF-8 text file, or an InputError naming it (`source`, else the path)."""
    name = source or str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(name, "", "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "", "is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(name, "", f"cannot read: {exc}") from None


def write_text_atomic(text: str, path: Path) -> None:
    """Write via a temporary file in the same folder, then rename over the target."""
    write_bytes_atomic(text.encode("utf-8"), path)


def write_bytes_atomic(data: bytes, path: Path) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
