"""The SARIF flags of the audit command: `--output-dir`, `--sarif-previous`, `--sarif-full`.

Kept apart from cli.py because SARIF is the one format that may need several files (GitHub
takes at most 20 runs, one per subscription, per file) and that reads an earlier report.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import InputError, UsageError
from auditor.files import write_text_atomic
from auditor.result import AuditResult

if TYPE_CHECKING:
    from reports.sarif_baseline import Baseline

UPLOAD_NAME = "egress-audit-{}.sarif"
_NUMBERED = re.compile(r"egress-audit-[0-9]+\.sarif")


@dataclass(frozen=True)
class Request:
    output: Path | None
    output_dir: Path | None
    full: bool
    previous: Baseline | None


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
    return Request(args.output, args.output_dir, args.sarif_full, previous)


def write(result: AuditResult, req: Request, write_one: Callable[[str, Path | None], None]) -> None:
    from reports import sarif

    options = sarif.Options(full=req.full, previous=req.previous)
    if req.output_dir is None:
        write_one(sarif.render_single(result, options), req.output)
        return
    docs = sarif.documents(result, options)
    _write_dir([sarif.serialize(doc) for doc in docs], req.output_dir)
    if not docs:
        print(
            "egress-audit: warning: no SARIF written: no subscription was read completely "
            "(uploading nothing keeps every alert as it was)",
            file=sys.stderr,
        )


def _write_dir(texts: list[str], directory: Path) -> None:
    """Write the numbered files, then remove numbered files left from a larger earlier run (an
    upload step that takes the folder would send them again)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        names = set()
        for number, text in enumerate(texts, start=1):
            name = UPLOAD_NAME.format(number)
            write_text_atomic(text, directory / name)
            names.add(name)
        for stale in directory.iterdir():
            if _NUMBERED.fullmatch(stale.name) and stale.name not in names:
                stale.unlink()
    except OSError as exc:
        raise InputError(str(directory), "", f"cannot write: {exc.strerror or exc}") from None
