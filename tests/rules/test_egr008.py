from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import egr008
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
        "a private subnet with no explicit egress",
        firewalled_network(
            b.cluster(
                "aks",
                [
                    b.pool("sys", GOOD),
                    b.pool("locked", PRIVATE),
                    b.pool("open", BARE),
                    b.pool("far", b.subnet_id("elsewhere", "s", rg="rg-x")),
                ],
            )
        ),
        fails={b.pool_id("aks", "locked")},
        passes={b.pool_id("aks", "sys"), b.pool_id("aks", "open"), b.pool_id("aks", "far")},
        severities={b.pool_id("aks", "locked"): Severity.CRITICAL},
    ),
    *(
        Case(
            f"network-isolated by design with outbound type {outbound}",
            firewalled_network(b.cluster("aks", [b.pool("sys", PRIVATE)], outbound_type=outbound)),
            fails={b.pool_id("aks", "sys")},
            severities={b.pool_id("aks", "sys"): Severity.INFO},
        )
        for outbound in ("none", "block")
    ),
    Case(
        "outbound type block on a subnet that is not private: no private subnet to report",
        firewalled_network(b.cluster("aks", [b.pool("sys", BARE)], outbound_type="block")),
        passes={b.pool_id("aks", "sys")},
    ),
    Case(
        "load balancer outbound rules still egress from a private subnet",
        firewalled_network(
            b.public_ip("lb", "20.0.0.5"),
            b.cluster(
                "aks",
                [b.pool("sys", PRIVATE)],
                outbound_type="loadBalancer",
                load_balancer_profile={"effectiveOutboundIPs": [{"id": b.pip_id("lb")}]},
            ),
        ),
        passes={b.pool_id("aks", "sys")},
    ),
    Case(
        "pods of a firewalled pool in a private subnet (high, contested)",
        firewalled_network(
            b.cluster(
                "aks",
                [b.pool("sys", FIREWALLED, pod_subnet=PRIVATE)],
                outbound_type="userDefinedRouting",
                plugin_mode=None,
            )
        ),
        fails={b.pool_id("aks", "sys")},
        severities={b.pool_id("aks", "sys"): Severity.HIGH},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr008.RULE, case)


def test_fix_attaches_the_cluster_nat_gateway() -> None:
    (finding,) = findings_for(egr008.RULE, CASES[0])
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n private --nat-gateway {NAT}"
    ]
    assert "vnet/private: from none to NAT gateway ng's addresses" in finding.remediation


def test_isolated_fix_says_nothing_is_needed() -> None:
    (finding,) = findings_for(egr008.RULE, CASES[1])
    assert finding.remediation.startswith("Nothing to do for a network-isolated cluster")
    (pods,) = findings_for(egr008.RULE, CASES[5])
    assert pods.key == "pods"
