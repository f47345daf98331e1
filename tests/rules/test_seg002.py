from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import seg002
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

NODES = b.subnet_id("vnet", "nodes")
PODS = b.subnet_id("vnet", "pods")
AKS = b.cluster_id("aks")


def _estate(*pools: dict[str, object], enabled: bool = True) -> b.Estate:
    return b.Estate().add(
        b.vnet(
            "vnet",
            [b.subnet("nodes", "vnet", "10.1.0.0/24"), b.subnet("pods", "vnet", "10.2.0.0/16")],
        ),
        b.cluster(
            "aks",
            [b.pool("gw", NODES, mode="Gateway", count=2), *pools],
            staticEgressGatewayProfile={"enabled": enabled},
        ),
    )


CASES = [
    Case("a pod subnet pool", _estate(b.pool("apps", NODES, pod_subnet=PODS)), fails={AKS}),
    Case("overlay pools only", _estate(b.pool("apps", NODES)), passes={AKS}),
    Case(
        "a Windows gateway pool",
        _estate(b.pool("wgw", NODES, mode="Gateway", os_type="Windows", count=2)),
        fails={AKS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(seg002.RULE, case)


def test_names_the_pools_and_turns_the_gateway_off() -> None:
    (finding,) = findings_for(seg002.RULE, CASES[0])
    assert "Azure CNI pod subnet pools (apps)" in finding.message
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n aks --disable-static-egress-gateway"
    ]
