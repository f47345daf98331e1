"""Command line: `egress-audit [audit flags]`, plus the `rules` and `graph` subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from auditor import __version__, cli_sarif, engine
from auditor import policy as policy_module
from auditor import snapshot as snapshot_module
from auditor.atomic import write_text_atomic
from auditor.errors import AuditError, ExitCode, InputError, UsageError
from auditor.model import Severity
from auditor.policy import Policy
from auditor.result import AuditResult
from auditor.snapshot import Snapshot
from reports import Format, renderer

PROG = "egress-audit"
FAIL_ON_CHOICES = [s.value for s in reversed(Severity)] + ["never"]
DEMO_ESTATE = "estate.json"
DEMO_POLICY = "egress-audit.yaml"

EPILOG = """\
subcommands:
  rules                 list the rules (egress-audit rules --help)
  graph                 export the estate graph (egress-audit graph --help)

exit codes:
  0  nothing at or above --fail-on
  1  findings at or above --fail-on
  2  usage, input or policy error
  3  collection or authentication failure (nothing audited)
  4  partial collection or a rule error (reports still written, the gap stated in them);
     takes precedence over 1
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "rules":
            return _rules_command(args[1:])
        if args and args[0] == "graph":
            return _graph_command(args[1:])
        return _audit_command(args)
    except AuditError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors share the one error path."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see {self.prog} --help)")


def _add_estate_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--snapshot", metavar="FILE", type=Path, help="audit a snapshot file")
    source.add_argument(
        "--demo", action="store_true", help="audit the bundled demo estate (with its policy)"
    )


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", "-o", metavar="FILE", type=Path, help="write here instead of standard output"
    )


def _audit_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Audit the egress of AKS estates: every node pool to the IPs it leaves from.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_estate_source(parser)
    parser.add_argument(
        "--policy", metavar="FILE", type=Path, help="policy file (egress-audit.yaml)"
    )
    parser.add_argument(
        "--format",
        choices=[f.value for f in Format],
        default=Format.TEXT.value,
        help="report format (default: text)",
    )
    _add_output(parser)
    cli_sarif.add_arguments(parser)
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default=Severity.INFO.value,
        metavar="SEVERITY",
        help="exit 1 when an active finding is at or above this severity: "
        + ", ".join(FAIL_ON_CHOICES)
        + " (default: info)",
    )
    return parser


def _audit_command(argv: list[str]) -> int:
    args = _audit_parser().parse_args(argv)
    sarif = cli_sarif.request(args)
    snap = _load_estate(args)
    policy = _load_policy(args.policy, demo=args.demo)
    from rules.registry import BUILTIN

    policy.check_rules({rule.meta.id: rule.config for rule in BUILTIN})
    result = engine.audit(snap, policy, BUILTIN)
    if sarif is not None:
        cli_sarif.write(result, sarif, _write)
    else:
        _write(renderer(Format(args.format))(result), args.output)
    for warning in result.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    return int(exit_code(result, args.fail_on))


def exit_code(result: AuditResult, fail_on: str) -> ExitCode:
    if result.is_partial:
        return ExitCode.PARTIAL
    worst = result.worst_active_severity()
    if fail_on == "never" or worst is None:
        return ExitCode.OK
    return ExitCode.FINDINGS if worst.rank >= Severity.parse(fail_on).rank else ExitCode.OK


def _load_estate(args: argparse.Namespace) -> Snapshot:
    if args.demo:
        demo = resources.files("auditor.demo").joinpath(DEMO_ESTATE)
        return snapshot_module.parse_text(demo.read_text(encoding="utf-8"), "demo estate")
    if args.snapshot is not None:
        return snapshot_module.load(args.snapshot)
    raise UsageError("give --snapshot FILE or --demo (live collection is not set up here)")


def _load_policy(path: Path | None, *, demo: bool) -> Policy:
    if path is not None:
        return policy_module.load(path)
    if demo:
        text = resources.files("auditor.demo").joinpath(DEMO_POLICY).read_text(encoding="utf-8")
        return policy_module.parse(text, f"auditor/demo/{DEMO_POLICY}")
    return policy_module.EMPTY


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_text_atomic(text, output)
    except OSError as exc:
        raise InputError(str(output), "", f"cannot write: {exc.strerror or exc}") from None


def _rules_command(argv: list[str]) -> int:
    parser = _Parser(prog=f"{PROG} rules", description="List the rules egress-audit runs.")
    parser.add_argument("--format", choices=["text"], default="text")
    _add_output(parser)
    args = parser.parse_args(argv)
    from rules.registry import BUILTIN

    width = max(len(r.meta.name) for r in BUILTIN)
    lines = [f"{'ID':<8}{'SEVERITY':<10}{'NAME':<{width + 2}}TITLE"]
    lines.extend(
        f"{r.meta.id:<8}{r.meta.severity.value:<10}{r.meta.name:<{width + 2}}{r.meta.title}"
        for r in BUILTIN
    )
    _write("\n".join(lines) + "\n", args.output)
    return int(ExitCode.OK)


def _graph_command(argv: list[str]) -> int:
    from auditor.graph.estate import EgressGraph
    from auditor.graph.export import GraphFormat, render

    parser = _Parser(
        prog=f"{PROG} graph",
        description="Export the estate graph (clusters, node pools, subnets, NAT gateways, IPs).",
    )
    _add_estate_source(parser)
    parser.add_argument("--format", choices=[f.value for f in GraphFormat], default="json")
    _add_output(parser)
    args = parser.parse_args(argv)
    graph = EgressGraph.from_snapshot(_load_estate(args))
    _write(render(graph, GraphFormat(args.format)), args.output)
    return int(ExitCode.OK)
