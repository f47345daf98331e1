"""Fit SARIF runs into files GitHub accepts: ≤ 20 runs per file, ≤ 25,000 results per run and
≤ 10 MB gzip-compressed per file (sarif-github.md §1.7; over a limit the upload is rejected).

Runs keep their order (sorted subscriptions), so the same estate always lands in the same
files. A run over the result limit keeps its first results, which are the highest-severity
ones (findings are sorted severity first), and says in a notification how many were cut.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reports._json_text import compact  # as `JSON.stringify` writes it
from reports.sarif_rules import RESULTS_CUT

Run = dict[str, Any]
MakeLog = Callable[[Sequence[Mapping[str, Any]]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Limits:
    runs_per_file: int = 20
    results_per_run: int = 25_000
    # GitHub says 10 MB; decimal megabytes are the stricter reading.
    gzip_bytes: int = 10_000_000


def pack(runs: Sequence[Run], limits: Limits, make_log: MakeLog) -> list[list[Run]]:
    """Group the runs into files within the limits."""
    runs = [_cap(run, limits.results_per_run, len(run["results"])) for run in runs]
    chunks = [
        list(runs[i : i + limits.runs_per_file]) for i in range(0, len(runs), limits.runs_per_file)
    ]
    files: list[list[Run]] = []
    for chunk in chunks:
        files.extend(_fit_size(chunk, limits, make_log))
    return files


def upload_size(document: Mapping[str, Any]) -> int:
    """The compressed size GitHub checks: upload-sarif sends `JSON.stringify` (compact) through
    gzip (level 6, zlib's default); mtime=0 keeps the measure reproducible."""
    return len(gzip.compress(compact(document), compresslevel=6, mtime=0))


def _fits(runs: Sequence[Run], limits: Limits, make_log: MakeLog) -> int:
    """0 when the file fits, else its compressed size."""
    # JSON compresses well: below the limit uncompressed it is below it compressed, and
    # compressing every file of a large estate would cost more than rendering it.
    if _compact_size(runs, make_log) <= limits.gzip_bytes:
        return 0
    size = _upload_size_of(runs, make_log)
    return 0 if size <= limits.gzip_bytes else size


def _upload_size_of(runs: Sequence[Run], make_log: MakeLog) -> int:
    """upload_size(make_log(runs)), compressing the log's text a run at a time: the whole
    text of a file of large runs is tens of megabytes. Deflate's output does not depend on
    how its input is cut into pieces, so the size is the same."""
    empty = compact(make_log([]))
    head, tail = empty[: -len(b"]}")], b"]}"
    if not empty.endswith(tail):  # a log whose runs are not its last member
        return upload_size(make_log(runs))
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip.compress(level 6, mtime=0)
    size = len(compressor.compress(head))
    for index, run in enumerate(runs):
        size += len(compressor.compress((b"," if index else b"") + compact(run)))
    return size + len(compressor.compress(tail)) + len(compressor.flush())


def _compact_size(runs: Sequence[Run], make_log: MakeLog) -> int:
    """The size of `compact(make_log(runs))`, with each distinct `tool` object (which the
    runs of one audit share, with every rule's descriptor) encoded once, not once per run."""
    tools: dict[int, int] = {}
    size = len(compact(make_log([]))) + max(0, len(runs) - 1)  # the commas between runs
    for run in runs:
        tool = run.get("tool")
        if tool is None:
            size += len(compact(run))
            continue
        if id(tool) not in tools:
            tools[id(tool)] = len(compact(tool)) - len(b"null")
        size += len(compact({**run, "tool": None})) + tools[id(tool)]
    return size


def _fit_size(runs: list[Run], limits: Limits, make_log: MakeLog) -> list[list[Run]]:
    size = _fits(runs, limits, make_log)
    if not size:
        return [runs]
    if len(runs) > 1:
        middle = len(runs) // 2
        return _fit_size(runs[:middle], limits, make_log) + _fit_size(
            runs[middle:], limits, make_log
        )
    # One run alone is too large: keep proportionally fewer results until it fits.
    run = runs[0]
    total = _total_results(run)
    keep = len(run["results"])
    while size and keep > 0:
        keep = min(keep - 1, int(keep * limits.gzip_bytes / size * 0.95))
        run = _cap(runs[0], max(keep, 0), total)
        size = _fits([run], limits, make_log)
    return [[run]]


def _total_results(run: Run) -> int:
    cut = run.get("properties", {}).get("resultsCut", 0)
    return len(run["results"]) + int(cut)


def _cap(run: Run, keep: int, total: int) -> Run:
    """The run with its first `keep` results and a notification about the others."""
    if len(run["results"]) <= keep and total == len(run["results"]):
        return run
    capped = dict(run)
    capped["results"] = run["results"][:keep]
    cut = total - len(capped["results"])
    subscription = run.get("properties", {}).get("subscriptionId", "?")
    notification = {
        "descriptor": {"id": RESULTS_CUT},
        "level": "warning",
        "message": {
            "text": (
                f"Subscription {subscription} has {total} results; this file keeps the "
                f"{len(capped['results'])} of highest severity and leaves out {cut} to stay "
                "within GitHub's limits. The JSON report has them all."
            )
        },
        "properties": {"total": total, "kept": len(capped["results"]), "cut": cut},
    }
    invocations = [dict(i) for i in run.get("invocations", [{"executionSuccessful": True}])]
    previous = [
        n
        for n in invocations[0].get("toolExecutionNotifications", [])
        if n.get("descriptor", {}).get("id") != RESULTS_CUT
    ]
    invocations[0]["toolExecutionNotifications"] = [*previous, notification]
    capped["invocations"] = invocations
    capped["properties"] = {**run.get("properties", {}), "resultsCut": cut}
    return capped
