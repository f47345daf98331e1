"""The baseline snapshot of drift detection: read it, and replace it after a complete run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor import snapshot as snapshot_module
from auditor.errors import ExitCode, InputError
from auditor.snapshot import Snapshot

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph


@dataclass(frozen=True, slots=True)
class Baseline:
    """A baseline read whole: its snapshot (without its rows, which are in the graph now) and
    its graph, which drift and the allowlist feed compare the estate's with."""

    snapshot: Snapshot
    graph: EgressGraph


def load(path: Path, *, bootstrap: bool) -> Baseline | None:
    """The baseline at `path`. Errors name it as the baseline, so they cannot be confused
    with the estate's. With `bootstrap` (--update-baseline), a missing file is the first
    run of a scheduled job: there is nothing to compare, and None is returned."""
    if bootstrap and not path.exists():
        return None
    # Imported here: `egress-audit rules` never reads a baseline, nor loads networkx.
    from auditor.graph.estate import EgressGraph

    try:
        snap = snapshot_module.load(path)
        # A file's rows are decoded when its graph is built: build it now, before a live
        # collection that can take minutes, so a bad baseline fails first.
        graph = EgressGraph.from_snapshot(snap)
    except InputError as exc:
        raise InputError(f"baseline {exc.source}", exc.where, exc.problem) from None
    return Baseline(snap.without_rows(keep_changes=True), graph)


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
