from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import egr009
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network

PREFIX = b.prefix_id("nodes")


def _estate() -> b.Estate:
    return network(
        b.public_ip_prefix("nodes", "20.1.0.0/30"),
        b.cluster(
            "aks",
            [
                b.pool("plain", GOOD),
                b.pool("loose", BARE, node_public_ip=True),
                b.pool("prefixed", BARE, node_public_ip=True, node_public_ip_prefix=PREFIX),
                b.pool("overridden", GOOD, node_public_ip=True, node_public_ip_prefix=PREFIX),
            ],
            outbound_type="loadBalancer",
        ),
    )


CASES = [
    Case(
        "every pool with node public IPs, prefix or not, NAT or not",
        _estate(),
        fails={
            b.pool_id("aks", "loose"),
            b.pool_id("aks", "prefixed"),
            b.pool_id("aks", "overridden"),
        },
        passes={b.pool_id("aks", "plain")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr009.RULE, case)


def test_messages_and_fixes() -> None:
    findings = {f.resource_id.name: f for f in findings_for(egr009.RULE, CASES[0])}
    assert "unpredictable" in findings["loose"].message
    assert "--node-public-ip-prefix-id <public IP prefix ID>" in findings["loose"].remediation
    assert "public IP prefix nodes" in findings["prefixed"].message
    assert "--node-public-ip-prefix-id" not in findings["prefixed"].remediation
    # The subnet with a NAT gateway is the place for the replacement pool.
    assert commands(findings["overridden"].remediation)[:2] == [
        f"az aks nodepool add -g {b.RG} --cluster-name aks -n <new pool> --vnet-subnet-id {GOOD}",
        f"az aks nodepool delete -g {b.RG} --cluster-name aks -n overridden",
    ]
    assert "although it egresses through NAT gateway ng" in findings["overridden"].message
