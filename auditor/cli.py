"""Command line: `egress-audit [audit flags]`, plus the `rules`, `graph` and `drift` subcommands.

A command imports what it uses when it runs: `egress-audit rules` reads no estate, so it loads
neither networkx nor YAML nor the collector (tests/test_startup.py).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from auditor import __version__, cli_sarif, terminate
from auditor.cli_parser import Parser as _Parser
from auditor.cli_parser import lower, output_file
from auditor.errors import AuditError, ExitCode, InputError, UsageError
from auditor.files import check_output, joined, write_chunks_atomic
from auditor.model import Rule, Severity
from auditor.safetext import shown
from reports import Format, streamer

if TYPE_CHECKING:
    from auditor.policy import Policy
    from auditor.result import AuditResult
    from auditor.snapshot import Snapshot

PROG = "egress-audit"
FAIL_ON_CHOICES = [s.value for s in reversed(Severity)] + ["never"]
DEMO_ESTATE = "estate.json"
DEMO_POLICY = "egress-audit.yaml"

EPILOG = """\
With neither --snapshot nor --demo, the estate is collected live from Azure Resource Graph.

subcommands:
  snapshot              collect the estate into a snapshot file (egress-audit snapshot --help)
  rules                 list the rules (egress-audit rules --help)
  graph                 export the estate graph (egress-audit graph --help)
  drift                 what changed since a baseline snapshot (egress-audit drift --help)
  egress-ips            the egress addresses to allowlist, as text, CSV or JSON
  job                   one scheduled run: every report, drift, baseline, pruning, webhook

exit codes:
  0  nothing at or above --fail-on
  1  findings at or above --fail-on
  2  usage, input or policy error
  3  collection or authentication failure (nothing audited)
  4  partial collection or a rule error (reports still written, the gap stated in them);
     takes precedence over 1
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code: the function tests and the scheduled job call
    in-process. The cyclic garbage collector is paused while it runs and restored as it was:
    an audit builds millions of small acyclic objects, and the collector's repeated full scans
    of that growing heap cost more than the audit and free nothing."""
    args = list(sys.argv[1:] if argv is None else argv)
    was_enabled = gc.isenabled()
    gc.disable()
    restore_sigterm = terminate.raise_on_sigterm()
    try:
        if not args:
            # Bare `egress-audit` would read every subscription of the tenant: say how to
            # choose instead (exit 2, nothing was asked).
            audit_parser().print_help()
            return int(ExitCode.INPUT_ERROR)
        command = _SUBCOMMANDS.get(args[0])
        if command is not None:
            return command(args[1:])
        return _audit_command(args)
    except AuditError as exc:
        print(f"{PROG}: error: {shown(str(exc))}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except terminate.Terminated:
        print(f"{PROG}: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        restore_sigterm()
        # Not when the process ends next (run()): the first allocation after gc.enable()
        # would scan every object the audit made (0.1-0.4 s at 10,000 clusters) for nothing.
        if was_enabled and not _PROCESS_ENDS_AFTER_MAIN:
            gc.enable()


# Set by run(), whose process ends as soon as main() returns: the audit then leaves its result
# here rather than freeing it, object by object, on its way out (the end of the process frees
# it at once), and main() leaves the garbage collector paused.
_PROCESS_ENDS_AFTER_MAIN = False
_left_for_exit: list[object] = []


def _leave_for_exit(*objects: object) -> None:
    if _PROCESS_ENDS_AFTER_MAIN:
        _left_for_exit.extend(objects)


def run() -> NoReturn:
    """The `egress-audit` console script and `python -m auditor`: main(), then the process
    ends as soon as its output is flushed. Tearing down the interpreter would free, one by one,
    an estate's audit result and report that the end of the process frees at once (most of a
    second for a large estate). Under coverage measurement it exits normally, so coverage
    saves its data."""
    global _PROCESS_ENDS_AFTER_MAIN
    _PROCESS_ENDS_AFTER_MAIN = "coverage" not in sys.modules
    code = main()
    if "coverage" in sys.modules:
        sys.exit(code)
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        code = 120  # as Python exits when it cannot flush standard output at exit
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def _add_estate_source(parser: argparse.ArgumentParser) -> None:
    from auditor.collect.args import add_collection_arguments

    source = parser.add_mutually_exclusive_group()
    source.add_argument("--snapshot", metavar="FILE", type=Path, help="audit a snapshot file")
    source.add_argument(
        "--demo", action="store_true", help="audit the bundled demo estate (with its policy)"
    )
    add_collection_arguments(parser)


def _add_baseline(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        type=Path,
        required=required,
        help="baseline snapshot: also report what changed since it (drift)",
    )
    parser.add_argument(
        "--update-baseline",
        action="store_true",
        help="after a complete collection, write the estate as the next baseline (to the "
        "--baseline path, atomically); never after a partial one",
    )


def _add_output(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        type=output_file(formats),
        help="write here instead of standard output",
    )


def _add_report_flags(parser: argparse.ArgumentParser, judged: str) -> None:
    """The estate, policy and report flags of the commands that audit (default and drift)."""
    _add_estate_source(parser)
    parser.add_argument(
        "--policy", metavar="FILE", type=Path, help="policy file (egress-audit.yaml)"
    )
    formats = [f.value for f in Format]
    parser.add_argument(
        "--format",
        "-f",
        type=lower,
        choices=formats,
        default=Format.TEXT.value,
        help="report format (default: text)",
    )
    _add_output(parser, formats)
    cli_sarif.add_arguments(parser)
    parser.add_argument(
        "--fail-on",
        type=lower,
        choices=FAIL_ON_CHOICES,
        default=Severity.INFO.value,
        metavar="SEVERITY",
        help=f"exit 1 when {judged} is at or above this severity: "
        + ", ".join(FAIL_ON_CHOICES)
        + " (default: info)",
    )


def audit_parser() -> argparse.ArgumentParser:
    """The parser of `egress-audit [audit flags]` (tests check printed commands against it)."""
    parser = _Parser(
        prog=PROG,
        description="Audit the egress of AKS estates: every node pool to the IPs it leaves from.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        subcommands=list(_SUBCOMMANDS),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_report_flags(parser, "an active finding")
    _add_baseline(parser, required=False)
    return parser


def _audit_command(argv: list[str]) -> int:
    args = audit_parser().parse_args(argv)
    from rules.registry import all_rules

    return _audit(args, all_rules())


def _audit(args: argparse.Namespace, rules: Sequence[Rule]) -> int:
    """Audit the estate with `rules`, plus drift when a baseline is given; write the report,
    then (with --update-baseline) the next baseline."""
    from auditor import baseline as baseline_module
    from auditor import engine
    from auditor.graph.build import read_rows
    from auditor.graph.estate import EgressGraph

    if args.update_baseline and args.baseline is None:
        raise UsageError("--update-baseline needs --baseline FILE (where to write it)")
    sarif = cli_sarif.request(args)
    policy = _load_policy(args.policy, demo=args.demo)
    from rules.registry import all_rules

    policy.check_rules({rule.meta.id: rule.config for rule in all_rules()})
    # The baseline is read before the estate, so a bad one fails before a long collection.
    baseline = None
    if args.baseline is not None:
        baseline = baseline_module.load(args.baseline, bootstrap=args.update_baseline)
        if baseline is None:
            print(
                f"{PROG}: no baseline at {args.baseline} yet: nothing to compare", file=sys.stderr
            )
    # Before the estate is read (a live collection takes minutes): can the outputs be written?
    check_output(args.output)
    check_output(args.baseline if args.update_baseline else None)
    check_output(sarif.output_dir if sarif is not None else None, folder=True)
    snap = _load_estate(args)
    if sarif is not None:
        cli_sarif.check_estate(sarif, snap)
    rows = read_rows(snap)
    if not args.update_baseline:
        # Nothing writes this snapshot again: its rows (for a file, the file's bytes) go
        # before the graph is built, and its change history unless drift explains with it.
        snap = snap.without_rows(keep_changes=baseline is not None)
    graph = EgressGraph.from_rows(rows, snap.collected_date)
    del rows
    result = engine.audit(
        snap,
        policy,
        rules,
        graph,
        baseline=None if baseline is None else baseline.snapshot,
        baseline_graph=None if baseline is None else baseline.graph,
    )
    del baseline
    # The reports need only the result. Letting the graph go before they are written costs
    # the time to free it (0.13 s at 10,000 clusters) and takes the peak down by about a
    # third of the snapshot's size, the graph's share of memory once the audit has run.
    del graph
    if sarif is not None:
        cli_sarif.write(result, sarif, _write)
    else:
        _write(streamer(Format(args.format))(result), args.output)
    _leave_for_exit(result)
    for warning in result.warnings:
        print(f"{PROG}: warning: {shown(warning)}", file=sys.stderr)
    code = exit_code(result, args.fail_on)
    if args.update_baseline:
        # Only after the report is out: a failed run must not swallow the drift it found.
        forced, note = baseline_module.update(snap, args.baseline)
        print(f"{PROG}: {note}", file=sys.stderr)
        code = forced or code
    return int(code)


def exit_code(result: AuditResult, fail_on: str) -> ExitCode:
    if result.is_partial:
        return ExitCode.PARTIAL
    worst = result.worst_active_severity()
    if fail_on == "never" or worst is None:
        return ExitCode.OK
    return ExitCode.FINDINGS if worst.rank >= Severity.parse(fail_on).rank else ExitCode.OK


def _load_estate(args: argparse.Namespace) -> Snapshot:
    from auditor import snapshot as snapshot_module
    from auditor.collect.args import live_flags_given

    if args.demo or args.snapshot is not None:
        live = live_flags_given(args)
        if live:
            raise UsageError(
                f"{', '.join(live)} only apply when collecting live; drop them to audit "
                "--snapshot or --demo"
            )
        if args.demo:
            demo = resources.files("auditor.demo").joinpath(DEMO_ESTATE)
            return snapshot_module.parse_text(demo.read_text(encoding="utf-8"), "demo estate")
        return snapshot_module.load(args.snapshot)
    from auditor.collect.args import collect_from_args

    return snapshot_module.without_surrogates(collect_from_args(args))


def _load_policy(path: Path | None, *, demo: bool) -> Policy:
    from auditor import policy as policy_module

    if path is not None:
        return policy_module.load(path, _display_name(path))
    if demo:
        folder = resources.files("auditor.demo")
        text = folder.joinpath(DEMO_POLICY).read_text(encoding="utf-8")
        # The demo policy's manifests sit beside it in the package.
        return policy_module.parse(text, f"auditor/demo/{DEMO_POLICY}", Path(str(folder)))
    return policy_module.EMPTY


def _display_name(path: Path) -> str:
    """A file inside the current directory by its relative path with forward slashes: findings
    located in it then point at the same place on every machine (and in SARIF, at the file in
    the checkout). Elsewhere, the path as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _write(text: str | Iterable[str], output: Path | None) -> None:
    """Write a report, whole or in pieces as its renderer makes them, to `output` (atomically)
    or to standard output."""
    chunks = (text,) if isinstance(text, str) else text
    if output is None:
        for block in joined(chunks):
            sys.stdout.write(block)
        sys.stdout.flush()
        return
    try:
        write_chunks_atomic(chunks, output)
    except OSError as exc:
        raise InputError(str(output), "", f"cannot write: {exc.strerror or exc}") from None


def _snapshot_command(argv: list[str]) -> int:
    from auditor import snapshot as snapshot_module
    from auditor.collect.args import add_collection_arguments, collect_from_args

    parser = _Parser(
        prog=f"{PROG} snapshot",
        description="Collect the estate from Azure Resource Graph into a snapshot file.",
        epilog="exit codes: 0 complete, 2 usage error, 3 nothing collected, "
        "4 partial (the snapshot records the scopes that failed)",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        type=output_file(()),
        required=True,
        help="snapshot file to write",
    )
    add_collection_arguments(parser)
    args = parser.parse_args(argv)
    check_output(args.output)
    snap = snapshot_module.without_surrogates(collect_from_args(args))
    try:
        snapshot_module.write(snap, args.output)
    except OSError as exc:
        raise InputError(str(args.output), "", f"cannot write: {exc.strerror or exc}") from None
    for error in snap.errors:
        print(f"{PROG}: not read: {shown(f'{error.scope}: {error.message}')}", file=sys.stderr)
    for warning in snap.warnings:
        print(f"{PROG}: warning: {shown(warning)}", file=sys.stderr)
    return int(ExitCode.PARTIAL if snap.errors else ExitCode.OK)


def _rules_command(argv: list[str]) -> int:
    parser = _Parser(
        prog=f"{PROG} rules",
        description="List the rules egress-audit runs (built-in and plugins); "
        "--format markdown writes the full rule reference (docs/rules.md).",
    )
    parser.add_argument("--format", "-f", type=lower, choices=["text", "markdown"], default="text")
    _add_output(parser, ["text", "markdown"])
    args = parser.parse_args(argv)
    from rules import reference
    from rules.registry import all_rules

    render = reference.markdown if args.format == "markdown" else reference.table
    _write(render(all_rules()), args.output)
    return int(ExitCode.OK)


def _graph_command(argv: list[str]) -> int:
    from auditor.graph.estate import EgressGraph
    from auditor.graph.export import GraphFormat, render

    parser = _Parser(
        prog=f"{PROG} graph",
        description="Export the estate graph (clusters, node pools, subnets, NAT gateways, IPs).",
    )
    _add_estate_source(parser)
    formats = [f.value for f in GraphFormat]
    parser.add_argument("--format", "-f", type=lower, choices=formats, default="json")
    _add_output(parser, formats)
    args = parser.parse_args(argv)
    check_output(args.output)
    graph = EgressGraph.from_snapshot(_load_estate(args))
    _write(render(graph, GraphFormat(args.format)), args.output)
    return int(ExitCode.OK)


def drift_parser() -> argparse.ArgumentParser:
    """The parser of `egress-audit drift` (tests check printed commands against it)."""
    parser = _Parser(
        prog=f"{PROG} drift",
        description="Report what changed in the egress since a baseline snapshot: egress IPs,\n"
        "path kinds, NAT gateway associations, idle timeouts, outbound types, network plugins\n"
        "and node pools, each with who changed it where the change history says.",
        epilog=EPILOG.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_report_flags(parser, "a drift finding")
    _add_baseline(parser, required=True)
    return parser


def _drift_command(argv: list[str]) -> int:
    args = drift_parser().parse_args(argv)
    from rules.registry import all_rules

    return _audit(args, [rule for rule in all_rules() if rule.meta.needs_baseline])


def _egress_ips_command(argv: list[str]) -> int:
    from auditor.cli_egress_ips import egress_ips_command

    return egress_ips_command(argv)


def _job_command(argv: list[str]) -> int:
    from auditor.job import job_command

    return job_command(argv)


_SUBCOMMANDS = {
    "snapshot": _snapshot_command,
    "rules": _rules_command,
    "graph": _graph_command,
    "drift": _drift_command,
    "egress-ips": _egress_ips_command,
    "job": _job_command,
}
