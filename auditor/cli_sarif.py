"""The SARIF flags of the audit command: `--output-dir`, `--sarif-previous`, `--sarif-full`.

Kept apart from cli.py because SARIF is the one format that may need several files (GitHub
takes at most 20 runs, one per subscription, per file) and that reads an earlier report.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import InputError, UsageError
from auditor.files import write_chunks_atomic

if TYPE_CHECKING:
    from auditor.result import AuditResult
    from auditor.snapshot import Snapshot
    from reports.sarif_baseline import Baseline

UPLOAD_NAME = "egress-audit-{}.sarif"
_NUMBERED = re.compile(r"egress-audit-[0-9]+\.sarif")


@dataclass(frozen=True)
class Request:
    output: Path | None
    output_dir: Path | None
    full: bool
    previous: Baseline | None

    @property
    def one_upload_file(self) -> bool:
        """The upload into one file (`--output FILE` or standard output), which GitHub's limit
        of runs per file can make impossible."""
        return not self.full and self.output_dir is None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("SARIF (--format sarif)")
    group.add_argument(
        "--output-dir",
        metavar="DIR",
        type=Path,
        help="write the upload as egress-audit-1.sarif, egress-audit-2.sarif, … (needed when "
        "GitHub's limits of 20 subscriptions or 10 MB compressed per file need several)",
    )
    group.add_argument(
        "--sarif-previous",
        metavar="PATH",
        type=Path,
        help="an earlier SARIF file (or folder of them): set baselineState "
        "new/unchanged/updated (and absent with --sarif-full)",
    )
    group.add_argument(
        "--sarif-full",
        action="store_true",
        help="write the full report instead of the upload: suppressed results (marked "
        "suppressions[]) and absent ones included, no GitHub limits applied; never upload it",
    )


def request(args: argparse.Namespace) -> Request | None:
    """The SARIF request of the command line, or None for another format; usage errors and a
    bad previous SARIF are reported here, before the estate is read."""
    sarif = args.format == "sarif"
    flags = {
        "--output-dir": args.output_dir is not None,
        "--sarif-previous": args.sarif_previous is not None,
        "--sarif-full": args.sarif_full,
    }
    if not sarif:
        for flag, given in flags.items():
            if given:
                raise UsageError(f"{flag} needs --format sarif")
        return None
    if args.output_dir is not None and args.output is not None:
        raise UsageError("give --output FILE or --output-dir DIR, not both")
    if args.sarif_full and args.output_dir is not None:
        raise UsageError("the full report (--sarif-full) is one file: use --output FILE")
    previous = None
    if args.sarif_previous is not None:
        from reports import sarif_baseline

        previous = sarif_baseline.load(args.sarif_previous)
    req = Request(args.output, args.output_dir, args.sarif_full, previous)
    live = args.snapshot is None and not args.demo
    if req.one_upload_file and live and args.subscriptions:
        # Before collecting: each subscription named is a run, if it can be read.
        _check_runs(len({s.lower() for s in args.subscriptions}))
    return req


def check_estate(req: Request, snap: Snapshot) -> None:
    """Before the estate is audited: a usage error when the subscriptions its scope names, read
    completely, already need more than one upload file."""
    if req.one_upload_file:
        from reports import sarif

        failed = [s for error in snap.errors for s in error.subscriptions]
        _check_runs(sarif.subscriptions_in_scope(snap.scope, failed))


def _check_runs(runs: int) -> None:
    from reports import sarif, sarif_split

    error = sarif.too_many_in_scope(runs, sarif_split.Limits())
    if error is not None:
        raise error


def write(
    result: AuditResult, req: Request, write_one: Callable[[Iterable[str], Path | None], None]
) -> None:
    from reports import sarif

    options = sarif.Options(full=req.full, previous=req.previous)
    if req.output_dir is None:
        write_one(sarif.single(result, options), req.output)
        return
    if not _write_dir(sarif.directory(result, options), req.output_dir):
        print(
            "egress-audit: warning: no SARIF written: no subscription was read completely "
            "(uploading nothing keeps every alert as it was)",
            file=sys.stderr,
        )


def _write_dir(files: Iterator[Iterable[str]], directory: Path) -> int:
    """Write the numbered files, then remove numbered files left from a larger earlier run (an
    upload step that takes the folder would send them again); the number of files written.
    Each file is written as it is made, into a staging folder inside `directory`, and they are
    moved in only once all are written: a failure leaves the folder as it was, never a mix of
    this run's files and an earlier run's."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".egress-audit-", dir=directory))
        try:
            names = []
            for number, chunks in enumerate(files, start=1):
                name = UPLOAD_NAME.format(number)
                write_chunks_atomic(chunks, staging / name)
                names.append(name)
            for name in names:
                os.replace(staging / name, directory / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for stale in directory.iterdir():
            if _NUMBERED.fullmatch(stale.name) and stale.name not in names:
                stale.unlink()
    except OSError as exc:
        raise InputError(str(directory), "", f"cannot write: {exc.strerror or exc}") from None
    return len(names)
