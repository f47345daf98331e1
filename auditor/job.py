"""`egress-audit job`: one scheduled run, as the GitHub workflow and the Kubernetes CronJob do it.

    collect once (or read --snapshot / --demo)
    → reports from that one snapshot, each with drift against the baseline when there is one:
      egress-audit.json, egress-audit.md (summary), sarif/ (the upload),
      egress-audit.full.sarif.json (never uploaded), egress-ips.csv / .json (allowlist feed)
    → the next baseline, written only after a complete collection
    → with --keep N: each run in a dated folder, `latest` pointing at it, older ones pruned
    → optionally the summary to a chat webhook
    → the exit code of the audit against --fail-on (drift findings included)

Every step is an ordinary egress-audit command, run in this process: the job is exactly what a
person would type, in the order that keeps the baseline honest (it is replaced last, after every
report has compared against the old one).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from auditor import notify
from auditor.cli_parser import Parser, lower
from auditor.collect.args import LIVE_FLAGS, add_collection_arguments, require_scope
from auditor.errors import ExitCode, UsageError

PROG = "egress-audit job"
DEFAULT_FAIL_ON = "high"
RUN_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?")
LATEST = "latest"
SNAPSHOT = "snapshot.json"
REPORT_JSON = "egress-audit.json"
SUMMARY = "egress-audit.md"

EPILOG = f"""\
The reports of one run: {SNAPSHOT} (when collected live), {REPORT_JSON}, {SUMMARY},
sarif/egress-audit-N.sarif (the code scanning upload), egress-audit.full.sarif.json (never
upload it), egress-ips.csv and egress-ips.json (the allowlist feed).

With --baseline FILE, every report includes drift since that snapshot, and the estate becomes
the next baseline after a complete collection (never after a partial one). A first run without
the file says so and writes it.

Webhook: set {notify.WEBHOOK_ENV} (a Slack incoming webhook or a Teams Workflows webhook URL,
from a secret) to post a short summary; unset, nothing is posted. The URL is never printed.

exit codes: 0 nothing at or above --fail-on; 1 findings at or above it (drift included);
2 usage or input error; 3 collection failed (no reports); 4 partial collection, a rule error,
or the summary could not be posted (reports written)"""


def job_command(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    source = _check(args)
    policy = ["--policy", str(args.policy)] if args.policy is not None else []
    run_dir = _new_run_dir(args.reports, dated=args.keep is not None)
    if args.baseline is not None:
        _make_folder(args.baseline.parent, "--baseline")
    if source is None:
        code = _cli(["snapshot", *_live_argv(args), "--output", str(run_dir / SNAPSHOT)])
        if code not in (ExitCode.OK, ExitCode.PARTIAL):
            _remove_if_empty(run_dir)
            return code
        source = ["--snapshot", str(run_dir / SNAPSHOT)]
    code = _reports(args, [*source, *policy], run_dir)
    if code in (ExitCode.INPUT_ERROR, ExitCode.COLLECTION_FAILED):
        _remove_if_empty(run_dir)
        return code
    if args.keep is not None:
        _point_latest(args.reports, run_dir)
        _prune(args.reports, args.keep)
    return _notify(args, run_dir, code)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="One scheduled compliance run: collect once, write every report with drift "
        "against the baseline, keep the next baseline, prune old runs, optionally notify.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--snapshot", metavar="FILE", type=Path, help="audit a snapshot file")
    source.add_argument("--demo", action="store_true", help="audit the bundled demo estate")
    add_collection_arguments(parser)
    parser.add_argument("--policy", metavar="FILE", type=Path, help="policy file")
    parser.add_argument(
        "--reports", metavar="DIR", type=Path, required=True, help="where the reports go"
    )
    parser.add_argument(
        "--keep",
        metavar="N",
        type=_positive,
        help="write each run into a dated folder under --reports, point --reports/latest at "
        "it and keep the newest N runs (without it, the reports go straight into --reports)",
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        type=Path,
        help="the baseline snapshot: drift since it in every report; replaced after a "
        "complete collection (created by the first run)",
    )
    parser.add_argument(
        "--fail-on",
        type=lower,
        choices=["critical", "high", "medium", "low", "info", "never"],
        default=DEFAULT_FAIL_ON,
        metavar="SEVERITY",
        help=f"exit 1 when an active finding (drift included) is at or above it "
        f"(default: {DEFAULT_FAIL_ON})",
    )
    parser.add_argument(
        "--notify",
        choices=["findings", "always"],
        default="findings",
        help=f"with {notify.WEBHOOK_ENV} set: post the summary when the run fails "
        "(findings, partial) or after every run (default: findings)",
    )
    parser.add_argument(
        "--webhook-format",
        choices=notify.KINDS,
        default="slack",
        help="the webhook's message format: slack (a Slack incoming webhook) or teams (a "
        "Microsoft Teams Workflows webhook: an Adaptive Card) (default: slack)",
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _check(args: argparse.Namespace) -> list[str] | None:
    """The estate flags for the report commands, or None to collect live (scope checked)."""
    live = [flag for dest, flag in LIVE_FLAGS.items() if getattr(args, dest) is not None]
    if args.snapshot is not None or args.demo:
        if live:
            raise UsageError(f"{', '.join(live)} only apply when collecting live")
        return ["--snapshot", str(args.snapshot)] if args.snapshot is not None else ["--demo"]
    require_scope(args)
    return None


def _live_argv(args: argparse.Namespace) -> list[str]:
    """The collection flags again, for `egress-audit snapshot`."""
    argv: list[str] = []
    for dest, flag in LIVE_FLAGS.items():
        value = getattr(args, dest)
        if value is None:
            continue
        if value is True:
            argv.append(flag)
        elif isinstance(value, list):
            for item in value:
                argv += [flag, str(item)]
        else:
            argv += [flag, str(value)]
    return argv


def _reports(args: argparse.Namespace, estate: list[str], run_dir: Path) -> ExitCode:
    """Every report of the run; the JSON report last, with the baseline update and the exit
    code that counts. Only its stderr is shown, unless another report fails outright."""
    baseline = args.baseline
    compare = ["--baseline", str(baseline)] if baseline is not None and baseline.exists() else []
    quiet = [*estate, "--fail-on", "never"]
    for argv in (
        [*quiet, *compare, "--format", "markdown", "--output", str(run_dir / SUMMARY)],
        [*quiet, *compare, "--format", "sarif", "--output-dir", str(run_dir / "sarif")],
        [*quiet, *compare, "--format", "sarif", "--sarif-full",
         "--output", str(run_dir / "egress-audit.full.sarif.json")],
    ):  # fmt: skip
        code = _cli(argv, quiet=True)
        if code in (ExitCode.INPUT_ERROR, ExitCode.COLLECTION_FAILED):
            return code
    for fmt in ("csv", "json"):
        code = _cli(
            ["egress-ips", *estate, *compare, "--format", fmt,
             "--output", str(run_dir / f"egress-ips.{fmt}")],
            quiet=True,
        )  # fmt: skip
        if code in (ExitCode.INPUT_ERROR, ExitCode.COLLECTION_FAILED):
            return code
    final = [*estate, "--fail-on", args.fail_on, "--format", "json"]
    if baseline is not None:
        final += ["--baseline", str(baseline), "--update-baseline"]
    return _cli([*final, "--output", str(run_dir / REPORT_JSON)])


def _cli(argv: list[str], *, quiet: bool = False) -> ExitCode:
    from auditor.cli import main

    if not quiet:
        return ExitCode(main(argv))
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        code = ExitCode(main(argv))
    if code in (ExitCode.INPUT_ERROR, ExitCode.COLLECTION_FAILED):
        sys.stderr.write(captured.getvalue())
    return code


def _new_run_dir(reports: Path, *, dated: bool) -> Path:
    try:
        reports.mkdir(parents=True, exist_ok=True)
        if not dated:
            return reports
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
        for attempt in range(1, 100):
            candidate = reports / (stamp if attempt == 1 else f"{stamp}-{attempt}")
            with contextlib.suppress(FileExistsError):
                candidate.mkdir()
                return candidate
    except OSError as exc:
        raise UsageError(f"--reports {reports}: cannot write: {exc.strerror or exc}") from None
    raise UsageError(f"--reports {reports}: too many runs started at {stamp}")


def _make_folder(folder: Path, flag: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{flag} {folder}: cannot write: {exc.strerror or exc}") from None


def _remove_if_empty(run_dir: Path) -> None:
    with contextlib.suppress(OSError):
        run_dir.rmdir()


def _point_latest(reports: Path, run_dir: Path) -> None:
    """Swap `latest` to the new run in one rename, so a reader never sees it missing."""
    link = reports / LATEST
    temporary = reports / f".{LATEST}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(run_dir.name, target_is_directory=True)
    os.replace(temporary, link)


def _prune(reports: Path, keep: int) -> None:
    """Delete all but the newest `keep` run folders; nothing else under --reports is touched."""
    runs = sorted(
        (p for p in reports.iterdir() if RUN_FOLDER.fullmatch(p.name) and not p.is_symlink()),
        key=_run_order,
    )
    for old in runs[:-keep]:
        shutil.rmtree(old)
        print(f"{PROG.split()[0]}: pruned {old}", file=sys.stderr)


def _run_order(path: Path) -> tuple[str, int]:
    stamp, _, number = path.name.partition("Z-")
    return stamp, int(number) if number else 1


def _notify(args: argparse.Namespace, run_dir: Path, code: ExitCode) -> int:
    url = os.environ.get(notify.WEBHOOK_ENV, "").strip()
    if not url or (args.notify == "findings" and code == ExitCode.OK):
        return int(code)
    try:
        report = json.loads((run_dir / REPORT_JSON).read_text(encoding="utf-8"))
        lines = notify.summary(report, args.fail_on, str(run_dir))
        notify.post(url, notify.payload(lines, args.webhook_format))
    except (notify.NotifyError, OSError, ValueError, KeyError) as exc:
        print(f"egress-audit: warning: summary not posted: {exc}", file=sys.stderr)
        return int(max(code, ExitCode.PARTIAL))
    print(f"egress-audit: summary posted to the webhook ({args.webhook_format})", file=sys.stderr)
    return int(code)
