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
    Case(
        "no subnet of the cluster has a NAT gateway to move to",
        network(b.cluster("solo", [b.pool("edge", BARE, node_public_ip=True)])),
        fails={b.pool_id("solo", "edge")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr009.RULE, case)


def test_messages_and_fixes() -> None:
    findings = {f.resource_id.name: f for f in findings_for(egr009.RULE, CASES[0])}
    assert "unpredictable" in findings["loose"].message
    # The loose pool moves to the subnet of the cluster's pools that has a NAT gateway, or
    # keeps its subnet with node public IPs from a new prefix sized for 3 nodes + 1 surge.
    assert commands(findings["loose"].remediation) == [
        f"az aks nodepool add -g {b.RG} --cluster-name aks -n <new pool> --vnet-subnet-id {GOOD}",
        f"az aks nodepool delete -g {b.RG} --cluster-name aks -n loose",
        f"az network public-ip prefix create -g {b.RG} -n loose-node-ips -l westeurope --length 30",
        f"az aks nodepool add -g {b.RG} --cluster-name aks -n <new pool> --vnet-subnet-id {BARE} "
        f"--enable-node-public-ip --node-public-ip-prefix-id {b.prefix_id('loose-node-ips')}",
    ]
    assert "public IP prefix nodes" in findings["prefixed"].message
    assert "--node-public-ip-prefix-id" not in findings["prefixed"].remediation
    # The subnet with a NAT gateway is the place for the replacement pool.
    assert commands(findings["overridden"].remediation)[:2] == [
        f"az aks nodepool add -g {b.RG} --cluster-name aks -n <new pool> --vnet-subnet-id {GOOD}",
        f"az aks nodepool delete -g {b.RG} --cluster-name aks -n overridden",
    ]
    assert "although it egresses through NAT gateway ng" in findings["overridden"].message


def test_without_a_nat_subnet_in_the_cluster_the_subnet_is_left_to_the_operator() -> None:
    (finding,) = findings_for(egr009.RULE, CASES[1])
    assert commands(finding.remediation)[0] == (
        f"az aks nodepool add -g {b.RG} --cluster-name solo -n <new pool> "
        "--vnet-subnet-id <subnet with a NAT gateway>"
    )
