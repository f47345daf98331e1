from __future__ import annotations

from typing import Any

import pytest

from auditor.model import Severity
from rules import drf004
from tests import estate_builder as b
from tests.drift.cases import (
    BASELINE_AT,
    CLUSTER,
    CURRENT_AT,
    NAT_A,
    NAT_B,
    NODES,
    DriftCase,
    baseline,
    drift_findings,
    estate,
    run_drift_case,
)

MC = "MC_rg-test_aks_westeurope"
MANAGED_NAT = b.nat_id("aks-nat-gateway", rg=MC)


def _lb(idle: int | None) -> dict[str, Any]:
    profile: dict[str, Any] = {"effectiveOutboundIPs": [{"id": b.pip_id("pip-2")}]}
    if idle is not None:
        profile["idleTimeoutInMinutes"] = idle
    return b.cluster(
        "aks", [b.pool("sys", NODES)], outbound_type="loadBalancer", load_balancer_profile=profile
    )


def _managed(idle: int, at: str = CURRENT_AT) -> b.Estate:
    """A managedNATGateway cluster on its AKS-managed VNet; the NAT resource follows the profile."""
    return b.Estate(collected_at=at).add(
        b.vnet(
            "aks-vnet-1",
            [b.subnet("aks-subnet", "aks-vnet-1", "10.224.0.0/16", nat=MANAGED_NAT, rg=MC)],
            rg=MC,
        ),
        b.nat("aks-nat-gateway", ips=(b.pip_id("managed-1", rg=MC),), idle=idle, rg=MC),
        b.public_ip("managed-1", "4.0.0.1", rg=MC),
        b.cluster(
            "aks",
            [b.pool("sys")],
            outbound_type="managedNATGateway",
            nat_gateway_profile={
                "idleTimeoutInMinutes": idle,
                "managedOutboundIPProfile": {"count": 1},
            },
        ),
    )


CASES = [
    DriftCase(
        "the pools' NAT gateway timeout lowered",
        baseline(nat_a_idle=30),
        estate(nat_a_idle=4),
        expected={(NAT_A, "nat-gateway"): ("30", "4")},
        severities={(NAT_A, "nat-gateway"): Severity.MEDIUM},
    ),
    DriftCase(
        "raised",
        baseline(),
        estate(nat_a_idle=10),
        expected={(NAT_A, "nat-gateway"): ("4", "10")},
        severities={(NAT_A, "nat-gateway"): Severity.LOW},
    ),
    DriftCase(
        "unset and the default 4 are the same",
        baseline(nat_a_idle=None),
        estate(nat_a_idle=4),
        passes={NAT_A},
    ),
    DriftCase(
        "a NAT gateway that carries no node pool egress is not compared",
        baseline(),
        estate(nat_a_idle=20, nodes_nat=NAT_B, pods_nat=NAT_B),
        passes={NAT_A, NAT_B},
    ),
    DriftCase(
        "the load balancer profile of a loadBalancer cluster: the cluster is the subject",
        baseline(cluster=_lb(None), nodes_nat=None),
        estate(cluster=_lb(10), nodes_nat=None),
        expected={(CLUSTER, "loadBalancerProfile"): ("30", "10")},
    ),
    DriftCase(
        "a managed NAT gateway: the cluster's natGatewayProfile, not the NAT resource",
        _managed(4, BASELINE_AT),
        _managed(15),
        expected={(CLUSTER, "natGatewayProfile"): ("4", "15")},
        passes={MANAGED_NAT},
    ),
    DriftCase("identical estates", baseline(), estate(), passes={NAT_A, NAT_B, CLUSTER}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: DriftCase) -> None:
    run_drift_case(drf004.RULE, case)


@pytest.mark.parametrize(
    ("case", "message", "command"),
    [
        (
            CASES[0],
            "NAT gateway ng-a, egress of cluster aks, now drops idle flows after 4 minutes "
            "instead of 30.",
            f"az network nat gateway update -g {b.RG} -n ng-a --idle-timeout 30",
        ),
        (
            CASES[4],
            "The load balancer outbound rule of cluster aks (loadBalancerProfile) now drops idle "
            "flows after 10 minutes instead of 30.",
            f"az aks update -g {b.RG} -n aks --load-balancer-idle-timeout 30",
        ),
        (
            CASES[5],
            "The managed NAT gateway of cluster aks (natGatewayProfile) now drops idle flows "
            "after 15 minutes instead of 4.",
            f"az aks update -g {b.RG} -n aks --nat-gateway-idle-timeout 4",
        ),
    ],
    ids=["nat", "lb", "managed"],
)
def test_messages_and_commands(case: DriftCase, message: str, command: str) -> None:
    (finding,) = drift_findings(drf004.RULE, case)
    assert finding.message.startswith(message)
    assert finding.remediation.startswith(f"If it was not intended, restore it: `{command}`. ")
