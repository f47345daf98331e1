"""`egress-audit egress-ips`: the allowlist feed of the estate (auditor/egress_ips.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor.cli_parser import Parser, lower, output_file
from auditor.errors import ExitCode

EPILOG = """\
Per node pool, per cluster, per declared destination (each policy entry with allowed_egress)
and for the whole estate: the addresses traffic leaves from, aggregated into the fewest CIDRs
that cover exactly them. Addresses that cannot be known (an unread hop, a virtual appliance,
default outbound access) are listed as unknown with the reason. With --baseline, also the
addresses added and removed since it (a pool that is unknown on either side, or in a
subscription either snapshot could not read, is listed as not compared).

exit codes: 0 written; 2 usage or input error; 3 collection failed; 4 partial collection (the
feed names what was not read)"""


def egress_ips_command(argv: Sequence[str]) -> int:
    from auditor import baseline as baseline_module
    from auditor import cli, egress_ips
    from reports.egress_ips import FORMATS, render

    parser = Parser(
        prog=f"{cli.PROG} egress-ips",
        description="Write the egress addresses a destination must allowlist, as text, CSV "
        "or JSON.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli._add_estate_source(parser)
    parser.add_argument("--policy", metavar="FILE", type=Path, help="policy file (destinations)")
    parser.add_argument(
        "--baseline", metavar="FILE", type=Path, help="also list what changed since this snapshot"
    )
    parser.add_argument("--format", "-f", type=lower, choices=FORMATS, default="text")
    parser.add_argument(
        "--output", "-o", metavar="FILE", type=output_file(FORMATS), help="write here"
    )
    args = parser.parse_args(list(argv))
    policy = cli._load_policy(args.policy, demo=args.demo)
    baseline = (
        baseline_module.load(args.baseline, bootstrap=False) if args.baseline is not None else None
    )
    snap = cli._load_estate(args)
    feed = (
        egress_ips.feed(snap, policy)
        if baseline is None
        else egress_ips.feed(snap, policy, baseline.snapshot, baseline.graph)
    )
    cli._write(render(feed, args.format), args.output)
    for error in feed.not_read:
        print(f"{cli.PROG}: not read: {error}", file=sys.stderr)
    return int(ExitCode.PARTIAL if feed.partial else ExitCode.OK)
