"""The baseline snapshot of drift detection: read it, and replace it after a complete run."""

from __future__ import annotations

from pathlib import Path

from auditor import snapshot as snapshot_module
from auditor.errors import ExitCode, InputError
from auditor.snapshot import Snapshot


def load(path: Path, *, bootstrap: bool) -> Snapshot | None:
    """The baseline at `path`. Errors name it as the baseline, so they cannot be confused
    with the estate's. With `bootstrap` (--update-baseline), a missing file is the first
    run of a scheduled job: there is nothing to compare, and None is returned."""
    if bootstrap and not path.exists():
        return None
    # Imported here: reading a baseline is the only use of the graph's row reader outside an
    # audit, and `egress-audit rules` never reads one.
    from auditor.graph.build import read_rows

    try:
        snap = snapshot_module.load(path)
        # A file's rows are decoded when the graph is built, after a live collection that can
        # take minutes: read them now, so a bad baseline fails first.
        read_rows(snap)
    except InputError as exc:
        raise InputError(f"baseline {exc.source}", exc.where, exc.problem) from None
    return snap


def update(snap: Snapshot, path: Path) -> tuple[ExitCode | None, str]:
    """Write `snap` as the next baseline, atomically; refuse a partial collection.

    Returns the exit code the refusal forces (None when written) and a note for stderr.
    A baseline missing the scopes that failed would make the next run report everything in
    them as added, so it is never written: the old baseline stays and the run exits 4."""
    if snap.errors:
        scopes = ", ".join(sorted({e.scope for e in snap.errors}))
        return ExitCode.PARTIAL, (
            f"baseline {path} not updated: the collection was partial (not read: {scopes})"
        )
    try:
        snapshot_module.write(snap, path)
    except OSError as exc:
        raise InputError(f"baseline {path}", "", f"cannot write: {exc.strerror or exc}") from None
    return None, f"baseline {path} updated to the estate read at {snap.collected_at}"
