from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import egr002
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, NAT, PRIVATE, add_subnets, network

FIREWALLED = b.subnet_id("vnet", "firewalled")
NAT_PODS = b.subnet_id("vnet", "nat-pods")
UNREAD_RT = b.subnet_id("vnet", "unread-rt")


def _pods_network(*rows: dict) -> b.Estate:
    """The shared network plus pod subnets: one routed to a firewall, one with the NAT, one
    whose route table is not in the snapshot."""
    estate = add_subnets(
        network(*rows),
        b.subnet("firewalled", "vnet", "10.4.0.0/16", route_table=b.route_table_id("fw")),
        b.subnet("nat-pods", "vnet", "10.5.0.0/16", nat=NAT),
        b.subnet("unread-rt", "vnet", "10.6.0.0/16", route_table=b.route_table_id("gone")),
    )
    nat = next(r for r in estate.rows if r["type"] == "microsoft.network/natgateways")
    nat["properties"]["subnets"].append({"id": NAT_PODS})
    return estate.add(b.route_table("fw", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")]))


def _pool(name: str, nodes: str, pods: str) -> dict:
    return b.pool(name, nodes, pod_subnet=pods)


CASES = [
    Case(
        "pods outside the NAT while the nodes use it",
        _pods_network(
            b.cluster(
                "aks",
                [
                    _pool("bare", GOOD, BARE),
                    _pool("private", GOOD, PRIVATE),
                    _pool("natpods", GOOD, NAT_PODS),
                    _pool("fw", GOOD, FIREWALLED),
                    _pool("nopods", GOOD, ""),
                ],
                plugin_mode=None,
            )
        ),
        fails={b.pool_id("aks", "bare"), b.pool_id("aks", "private")},
        passes={
            b.pool_id("aks", "natpods"),
            b.pool_id("aks", "fw"),
            b.pool_id("aks", "nopods"),
        },
        severities={b.pool_id("aks", "bare"): Severity.MEDIUM},
    ),
    Case(
        "a NAT outbound type promises NAT even where the node subnet lacks it",
        _pods_network(b.cluster("aks", [_pool("sys", BARE, BARE)], plugin_mode=None)),
        fails={b.pool_id("aks", "sys")},
    ),
    Case(
        "load balancer outbound without any NAT promises nothing",
        _pods_network(
            b.cluster(
                "aks", [_pool("sys", BARE, BARE)], plugin_mode=None, outbound_type="loadBalancer"
            )
        ),
        passes={b.pool_id("aks", "sys")},
    ),
    Case(
        "unread pod subnet or pod route table is unknown, not missing",
        _pods_network(
            b.cluster(
                "aks",
                [
                    _pool("far", GOOD, b.subnet_id("elsewhere", "pods", rg="rg-x")),
                    _pool("unread", GOOD, UNREAD_RT),
                ],
                plugin_mode=None,
            )
        ),
        passes={b.pool_id("aks", "far"), b.pool_id("aks", "unread")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr002.RULE, case)


def test_marks_docs_contested_and_attaches_the_node_subnet_nat() -> None:
    finding = next(
        f for f in findings_for(egr002.RULE, CASES[0]) if f.resource_id.text.endswith("/bare")
    )
    assert finding.details == {"docs": "contested"}
    assert "ACN-3204" in finding.message
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n bare --nat-gateway {NAT}"
    ]
    assert egr002.META.precision == "medium"


def test_a_pod_subnet_gets_the_nat_gateway_of_another_node_subnet_of_the_cluster() -> None:
    """The pool's node subnet has no NAT gateway, but another pool's has: that one is the
    cluster's, and the fix names it."""
    estate = _pods_network(
        b.cluster("aks", [_pool("sys", BARE, BARE), b.pool("user", GOOD)], plugin_mode=None)
    )
    (finding,) = findings_for(egr002.RULE, Case("two pools", estate))
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n bare --nat-gateway {NAT}"
    ]
