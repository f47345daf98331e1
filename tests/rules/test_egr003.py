from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import egr003
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, NAT, network

LB_PROFILE = {"effectiveOutboundIPs": [{"id": b.pip_id("lb")}], "idleTimeoutInMinutes": 30}
ROUTED = b.subnet_id("vnet2", "routed")
FAR_NAT = b.subnet_id("vnet2", "far-nat")


def _estate(*clusters: dict) -> b.Estate:
    return network(
        b.public_ip("lb", "20.0.0.5"),
        b.vnet(
            "vnet2",
            [
                # NAT gateway, but a 0.0.0.0/0 route to a firewall wins (EGR004's finding).
                b.subnet(
                    "routed", "vnet2", "10.20.0.0/16", nat=NAT, route_table=b.route_table_id("fw")
                ),
                # A NAT gateway that is not in the snapshot.
                b.subnet("far-nat", "vnet2", "10.21.0.0/16", nat=b.nat_id("gone", rg="rg-x")),
            ],
        ),
        b.route_table("fw", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")]),
        *clusters,
    )


def _lb(name: str, pools: list[dict]) -> dict:
    return b.cluster(name, pools, outbound_type="loadBalancer", load_balancer_profile=LB_PROFILE)


CASES = [
    Case(
        "load balancer outbound, but the subnet's NAT gateway carries the traffic",
        _estate(_lb("aks", [b.pool("sys", GOOD), b.pool("edge", BARE)])),
        fails={b.pool_id("aks", "sys")},
        passes={b.pool_id("aks", "edge")},
    ),
    Case(
        "a NAT outbound type says what is true",
        _estate(b.cluster("aks", [b.pool("sys", GOOD)])),
        passes={b.pool_id("aks", "sys")},
    ),
    Case(
        "a route to a firewall overrides the NAT gateway too; an unread NAT is unknown",
        _estate(_lb("aks", [b.pool("routed", ROUTED), b.pool("far", FAR_NAT)])),
        passes={b.pool_id("aks", "routed"), b.pool_id("aks", "far")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr003.RULE, case)


def test_names_both_address_sets_and_both_fixes() -> None:
    (finding,) = findings_for(egr003.RULE, CASES[0])
    assert "20.0.0.1/32" in finding.message
    assert "load balancer outbound rules (20.0.0.5/32)" in finding.message
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n aks --outbound-type userAssignedNATGateway",
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n good --remove natGateway",
    ]
    assert "the pool keeps leaving from 20.0.0.1/32" in finding.remediation
    assert "egress addresses of node pool sys: from 20.0.0.1/32 to 20.0.0.5/32" in (
        finding.remediation
    )
