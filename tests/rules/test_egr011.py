from __future__ import annotations

from typing import Any

import pytest

from auditor.fixtext import commands
from rules import egr011
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.cases import Case, findings_for, run_case

NODES = b.subnet_id("spoke", "nodes")
SYS = b.pool_id("aks", "sys")


def _estate(gateway: dict[str, Any], *, table: dict[str, Any] | None = None) -> b.Estate:
    return b.Estate().add(
        h.with_peerings(
            b.vnet(
                "spoke",
                [
                    b.subnet(
                        "nodes",
                        "spoke",
                        "10.1.0.0/16",
                        nat=b.nat_id("ng"),
                        route_table=None if table is None else table["id"],
                    )
                ],
            ),
            h.peering("hub", use_remote_gateways=True),
        ),
        b.vnet("hub", [b.subnet("GatewaySubnet", "hub", "10.100.1.0/27")]),
        gateway,
        *([table] if table else []),
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("sys", NODES)]),
    )


SPLIT = b.route_table("spoke-rt", [("10.0.0.0/8", "VirtualAppliance", "10.100.0.4")])

CASES = [
    Case("an ExpressRoute hub", _estate(h.gateway("er", "hub", kind="ExpressRoute")), fails={SYS}),
    Case("a static VPN hub", _estate(h.gateway("vpn", "hub")), passes={SYS}),
    Case(
        "a route table that propagates gateway routes",
        _estate(h.gateway("vpn", "hub", bgp=True), table=SPLIT),
        fails={SYS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr011.RULE, case)


def test_says_why_and_offers_to_stop_propagation() -> None:
    (finding,) = findings_for(egr011.RULE, CASES[2])
    assert "route table spoke-rt propagates gateway routes" in finding.message
    assert "Vpn gateway vpn (BGP on) in peered virtual network hub" in finding.message
    assert commands(finding.remediation) == [
        f"az network route-table update -g {b.RG} -n spoke-rt --disable-bgp-route-propagation true"
    ]


def test_without_a_route_table_the_fix_is_prose() -> None:
    (finding,) = findings_for(egr011.RULE, CASES[0])
    assert commands(finding.remediation) == []
    assert "it has no route table" in finding.message
