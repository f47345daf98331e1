from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import egr006
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

HOLE = b.subnet_id("vnet", "hole")
ISOLATED = b.subnet_id("vnet", "isolated")
SHARED = b.subnet_id("vnet", "shared")
ROUTED = b.subnet_id("vnet", "routed")
UNREAD = b.subnet_id("vnet", "unread")
UNUSED = b.subnet_id("vnet", "unused")


def _estate() -> b.Estate:
    blackhole = b.route_table_id("rt-blackhole")
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("hole", "vnet", "10.1.0.0/16", route_table=blackhole),
                b.subnet("isolated", "vnet", "10.2.0.0/16", route_table=blackhole),
                b.subnet("shared", "vnet", "10.3.0.0/16", route_table=blackhole),
                b.subnet("routed", "vnet", "10.4.0.0/16", route_table=b.route_table_id("rt-fw")),
                b.subnet("unread", "vnet", "10.5.0.0/16", route_table=b.route_table_id("gone")),
                b.subnet("unused", "vnet", "10.6.0.0/16", route_table=blackhole),
            ],
        ),
        b.route_table("rt-blackhole", [("0.0.0.0/0", "None", None)]),
        b.route_table("rt-fw", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")]),
        b.cluster(
            "aks",
            [
                b.pool("hole", HOLE),
                b.pool("shared", SHARED),
                b.pool("routed", ROUTED),
                b.pool("unread", UNREAD),
            ],
            outbound_type="userDefinedRouting",
        ),
        b.cluster("iso", [b.pool("iso", ISOLATED)], outbound_type="none"),
        b.cluster("blk", [b.pool("blk", ISOLATED), b.pool("shr", SHARED)], outbound_type="block"),
    )


CASES = [
    Case(
        "0.0.0.0/0 to None on pool subnets",
        _estate(),
        fails={HOLE, ISOLATED, SHARED},
        passes={ROUTED, UNREAD, UNUSED},
        severities={HOLE: Severity.HIGH, ISOLATED: Severity.INFO, SHARED: Severity.HIGH},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr006.RULE, case)


def test_remediation_points_the_route_at_the_cluster_firewall() -> None:
    finding = next(f for f in findings_for(egr006.RULE, CASES[0]) if f.resource_id.text == HOLE)
    assert commands(finding.remediation) == [
        f"az network route-table route update -g {b.RG} --route-table-name rt-blackhole -n r0 "
        "--next-hop-type VirtualAppliance --next-hop-ip-address 10.100.0.4",
        f"az network route-table route delete -g {b.RG} --route-table-name rt-blackhole -n r0",
    ]
