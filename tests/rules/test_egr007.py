from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import egr007
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import (
    BARE,
    FIREWALLED,
    GOOD,
    NAT,
    PRIVATE,
    firewalled_network,
)

CASES = [
    Case(
        "a NAT cluster's pool outside the NAT subnet",
        firewalled_network(
            b.cluster(
                "aks",
                [
                    b.pool("sys", GOOD),
                    b.pool("batch", BARE),
                    b.pool("locked", PRIVATE),
                    b.pool("far", b.subnet_id("elsewhere", "s", rg="rg-x")),
                ],
            )
        ),
        fails={b.pool_id("aks", "batch")},
        # private is EGR008's; an unread subnet is unknown, not missing
        passes={b.pool_id("aks", "sys"), b.pool_id("aks", "locked"), b.pool_id("aks", "far")},
        severities={b.pool_id("aks", "batch"): Severity.HIGH},
    ),
    Case(
        "load balancer outbound rules and node public IPs are explicit",
        firewalled_network(
            b.public_ip("lb", "20.0.0.5"),
            b.cluster(
                "aks",
                [b.pool("sys", BARE), b.pool("pip", BARE, node_public_ip=True)],
                outbound_type="loadBalancer",
                load_balancer_profile={"effectiveOutboundIPs": [{"id": b.pip_id("lb")}]},
            ),
        ),
        passes={b.pool_id("aks", "sys"), b.pool_id("aks", "pip")},
    ),
    Case(
        "outbound type none still leaves by default outbound access on a public subnet",
        firewalled_network(b.cluster("aks", [b.pool("sys", BARE)], outbound_type="none")),
        fails={b.pool_id("aks", "sys")},
    ),
    Case(
        "pods of a firewalled pool in a subnet without egress (medium, contested)",
        firewalled_network(
            b.cluster(
                "aks",
                [b.pool("sys", FIREWALLED, pod_subnet=BARE)],
                outbound_type="userDefinedRouting",
                plugin_mode=None,
            )
        ),
        fails={b.pool_id("aks", "sys")},
        severities={b.pool_id("aks", "sys"): Severity.MEDIUM},
    ),
    Case(
        "pods next to NAT nodes are EGR002's",
        firewalled_network(
            b.cluster("aks", [b.pool("sys", GOOD, pod_subnet=BARE)], plugin_mode=None)
        ),
        passes={b.pool_id("aks", "sys")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr007.RULE, case)


def test_node_fix_attaches_the_cluster_nat_and_makes_the_subnet_private() -> None:
    (finding,) = findings_for(egr007.RULE, CASES[0])
    assert finding.key == ""
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n bare --nat-gateway {NAT} "
        f"&& az network vnet subnet update -g {b.RG} --vnet-name vnet -n bare "
        "--default-outbound-access false"
    ]


def test_pod_finding_has_its_own_key_and_routes_to_the_cluster_firewall() -> None:
    (finding,) = findings_for(egr007.RULE, CASES[3])
    assert finding.key == "pods"
    assert finding.message.startswith("Pods of node pool sys of cluster aks egress from subnet")
    assert "--next-hop-ip-address 10.100.0.4" in finding.remediation
