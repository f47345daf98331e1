from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import seg001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

NODES = b.subnet_id("vnet", "nodes")
GATEWAY = b.pool_id("aks", "gw")


def _estate(count: int, size: int | None = 31) -> b.Estate:
    profile = {} if size is None else {"gatewayProfile": {"publicIPPrefixSize": size}}
    return b.Estate().add(
        b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/24", nat=b.nat_id("ng"))]),
        b.nat("ng"),
        b.cluster(
            "aks",
            [b.pool("sys", NODES), b.pool("gw", NODES, mode="Gateway", count=count, **profile)],
            staticEgressGatewayProfile={"enabled": True},
        ),
    )


CASES = [
    Case(
        "three nodes on a /31", _estate(3), fails={GATEWAY}, severities={GATEWAY: Severity.MEDIUM}
    ),
    Case("two nodes on the default /31", _estate(2, None), passes={GATEWAY}),
    Case("four nodes on a /30", _estate(4, 30), passes={GATEWAY}),
    Case("one node", _estate(1), fails={GATEWAY}, severities={GATEWAY: Severity.LOW}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(seg001.RULE, case)


def test_an_oversized_pool_gets_a_prefix_that_holds_it() -> None:
    (finding,) = findings_for(seg001.RULE, CASES[0])
    assert finding.message == (
        "Gateway pool gw of cluster aks runs 3 nodes, but its /31 public IP prefix holds 2 "
        "addresses: 1 node without an egress address."
    )
    assert commands(finding.remediation) == [
        f"az aks nodepool add -g {b.RG} --cluster-name aks -n <new gateway pool> --mode Gateway "
        "--node-count 3 --gateway-prefix-size 30"
    ]


def test_beyond_sixteen_nodes_the_pool_scales_down() -> None:
    (finding,) = findings_for(seg001.RULE, Case("too many", _estate(17, 28)))
    assert commands(finding.remediation) == [
        f"az aks nodepool scale -g {b.RG} --cluster-name aks -n gw --node-count 16"
    ]
