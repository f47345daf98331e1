"""Reading input files with one-line errors, and writing outputs safely: a reader never sees
a half-written snapshot or report, and `-o` never puts a regular file where a device, a FIFO
or a symbolic link was (the rules are documented in README.md, "Output files")."""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from auditor.errors import InputError
from auditor.safetext import has_surrogates, replace_surrogates, surrogate_warning


def _current_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# Read once at import: reading it means setting it, which is not safe while other threads write.
_UMASK = _current_umask()


def read_bytes(path: Path, source: str | None = None) -> bytes:
    """A file's bytes, or an InputError naming it (`source`, else the path)."""
    name = source or str(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(name, "", "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "", "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(name, "", f"cannot read: {exc.strerror or exc}") from None


def read_text(path: Path, source: str | None = None) -> str:
    """A UTF-8 text file, or an InputError naming it (`source`, else the path). A leading
    byte-order mark, which Windows tools write, is not content."""
    name = source or str(path)
    data = read_bytes(path, name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, data, exc.start) from None


def check_utf8(data: bytes, source: str) -> None:
    """An InputError like read_text's when `data` is not UTF-8, without holding its text:
    decoded a megabyte at a time and thrown away."""
    if data.isascii():
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    step = 1 << 20
    for start in range(0, len(view), step):
        # The decoder may hold up to three bytes of a character the last block left unfinished.
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(view[start : start + step], final=start + step >= len(view))
        except UnicodeDecodeError as exc:
            raise _not_utf8(source, data, start - pending + exc.start) from None


def _not_utf8(name: str, data: bytes, start: int) -> InputError:
    line = data.count(b"\n", 0, start) + 1
    return InputError(
        f"{name}:{line}",
        "",
        f"not UTF-8 text (byte 0x{data[start]:02x} cannot start or continue a character)",
    )


class _NotJson(ValueError):
    """NaN and Infinity: Python's json reads them, but they are not JSON (RFC 8259)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(name)


# String literals (skipped) and the tokens json.loads refuses without saying where.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)|([0-9]{4301,})')


def parse_json(text: str, source: str, warnings: list[str] | None = None) -> Any:
    """A JSON document, or an InputError naming the file and the place of the problem. Lone
    surrogates are replaced by U+FFFD (README.md, "Input limits"), and reported in `warnings`
    when given."""
    document = _decode_json(text, source)
    # A lone surrogate can only come from a `\ud800`-style escape: most files have none, and
    # the walk that finds them runs only when the text holds such an escape.
    if "\\ud" in text or "\\uD" in text:
        found = replace_surrogates_in(document)
        if found is not None and warnings is not None:
            warnings.append(surrogate_warning(f"{source}: {found[0]}", found[1]))
    return document


def _decode_json(text: str, source: str) -> Any:
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


def replace_surrogates_in(document: Any) -> tuple[str, int] | None:
    """Replace lone surrogates in every string (keys included) in place; where the first one
    was found and how many strings held one, or None when there were none."""
    count = 0
    first = ""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, path = stack.pop()
        if type(value) is dict:
            if any(type(k) is str and has_surrogates(k) for k in value):
                count += sum(1 for k in value if has_surrogates(k))
                first = first or path or "(top level)"
                items = [(replace_surrogates(k), v) for k, v in value.items()]
                value.clear()
                value.update(items)
            pairs: list[tuple[Any, Any]] = list(value.items())
        elif type(value) is list:
            pairs = list(enumerate(value))
        else:
            continue
        for key, item in pairs:
            if type(item) is str:
                if has_surrogates(item):
                    value[key] = replace_surrogates(item)
                    count += 1
                    first = first or _json_path(path, key)
            elif type(item) is dict or type(item) is list:
                stack.append((item, _json_path(path, key)))
    return (first, count) if count else None


def _json_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _place_of(text: str, group: int) -> str:
    """`line L column C` of the first token of a `_JSON_TOKEN` group (error path only)."""
    for match in _JSON_TOKEN.finditer(text):
        if match.group(group) is not None:
            start = match.start()
            line = text.count("\n", 0, start) + 1
            return f"line {line} column {start - text.rfind(chr(10), 0, start)}"
    return ""


def write_text_atomic(text: str, path: Path) -> None:
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


# Temporary files are named `.<target>.egress-audit-<pid>-<random>.tmp` beside the target, so
# a later run can recognise one left by a killed run (SIGKILL cannot be caught) and remove it.
_TEMPORARY = re.compile(r"\.(?P<target>.+)\.egress-audit-(?P<pid>[0-9]+)-[^.]+\.tmp")
# A temporary file is stale when the process that made it is gone and it is this old: a
# writer on another machine sharing the folder, whose process this one cannot see, has long
# finished (a report takes seconds to write).
STALE_AFTER_SECONDS = 600


def write_bytes_atomic(data: bytes | Iterable[bytes], path: Path) -> None:
    """Write `data` where `path` points, as `>` in a shell would, but never half-written:

    - a regular file, new or existing, is replaced atomically through a temporary file beside
      it; an existing file keeps its mode (and its owner and group where the system permits),
      and one this user may not write is refused, as `>` would refuse it;
    - a character device or a FIFO (a terminal, `/dev/stdout`, a pipe a reader waits on) is
      written in place: replacing it would leave a regular file where the device was;
    - a symbolic link is followed: its target is written, and the link stays;
    - anything else (a directory, a socket, a block device) is refused.
    """
    existing = _stat(path)
    if existing is not None and _in_place(existing):
        with open(path, "wb") as handle:
            _write_all(handle, data)
        return
    target = _regular_target(path, existing)
    remove_stale_temporaries(target)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.egress-audit-{os.getpid()}-", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _write_all(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        if existing is None:
            os.chmod(temporary, 0o666 & ~_UMASK)
        else:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
            _keep_owner(temporary, existing)
        os.replace(temporary, target)
    except BaseException:  # SIGTERM and Ctrl-C too (the CLI turns SIGTERM into an exception)
        Path(temporary).unlink(missing_ok=True)
        raise


def check_output(path: Path | None, *, folder: bool = False) -> None:
    """An InputError naming `path` when it could not be written (a file, or with `folder` a
    folder to write files in); nothing for None."""
    if path is None:
        return
    try:
        (check_writable_folder if folder else check_writable)(path)
    except OSError as exc:
        raise InputError(str(path), "", f"cannot write: {exc.strerror or exc}") from None


def check_writable(path: Path) -> None:
    """Raise the OSError writing `path` would meet, without writing: run before a collection
    that may take minutes, so a bad `-o` fails first."""
    existing = _stat(path)
    if existing is not None and _in_place(existing):
        if not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return
    target = _regular_target(path, existing)
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "folder not writable")


def check_writable_folder(path: Path) -> None:
    """Raise the OSError creating files in folder `path` (made if missing) would meet."""
    existing = path
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "folder not writable")


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files of `target` that a killed run left (see STALE_AFTER_SECONDS);
    the ones removed."""
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(target.parent.glob(f".{target.name}.egress-audit-*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        match = _TEMPORARY.fullmatch(candidate.name)
        if match is None or match["target"] != target.name or _alive(int(match["pid"])):
            continue
        try:
            if now - candidate.lstat().st_mtime >= STALE_AFTER_SECONDS:
                candidate.unlink()
                removed.append(candidate)
        except OSError:  # removed meanwhile, or not ours to remove: leave it
            continue
    return removed


def _stat(path: Path) -> os.stat_result | None:
    """What `path` points at (symbolic links followed); None when nothing is there yet."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _in_place(existing: os.stat_result) -> bool:
    return stat.S_ISCHR(existing.st_mode) or stat.S_ISFIFO(existing.st_mode)


def _regular_target(path: Path, existing: os.stat_result | None) -> Path:
    """The file to replace: `path` with symbolic links resolved. Refuses what is not a regular
    file, and a regular file this user may not write."""
    if existing is not None:
        if stat.S_ISDIR(existing.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(existing.st_mode):
            raise OSError(errno.EINVAL, "not a regular file, character device or FIFO")
        if not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    return Path(os.path.realpath(path))


def _keep_owner(temporary: str, existing: os.stat_result) -> None:
    if hasattr(os, "chown") and (existing.st_uid, existing.st_gid) != _owner(temporary):
        # Only root may give a file away; for anyone else the new file is theirs.
        with contextlib.suppress(PermissionError):
            os.chown(temporary, existing.st_uid, existing.st_gid)


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except PermissionError:  # it does, and belongs to another user
        return True
    except (ProcessLookupError, OverflowError):
        return False
    return True
