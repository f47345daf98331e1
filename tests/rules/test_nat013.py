from __future__ import annotations

import pytest

from rules import nat013
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

NODE_RG = "MC_rg-test_aks_westeurope"
SUBNET = b.subnet_id("aks-vnet-1", "aks-subnet", rg=NODE_RG)


def _estate(*, declared: int | None, enforced: int | None, read: bool = True) -> b.Estate:
    profile = {"managedOutboundIPProfile": {"count": 1}}
    if declared is not None:
        profile["idleTimeoutInMinutes"] = declared  # type: ignore[assignment]
    rows = [
        b.vnet(
            "aks-vnet-1",
            [
                b.subnet(
                    "aks-subnet", "aks-vnet-1", "10.224.0.0/16", nat=b.nat_id("aks-nat", rg=NODE_RG)
                )
            ],
            rg=NODE_RG,
        ),
        b.public_ip("aks-ip", "20.0.0.9", rg=NODE_RG),
        b.cluster(
            "aks", [b.pool("sys")], outbound_type="managedNATGateway", nat_gateway_profile=profile
        ),
    ]
    if read:
        rows.append(
            b.nat("aks-nat", ips=(b.pip_id("aks-ip", rg=NODE_RG),), idle=enforced, rg=NODE_RG)
        )
    return b.Estate().add(*rows)


AKS = b.cluster_id("aks")
CASES = [
    Case("the gateway was raised to 30 in place", _estate(declared=4, enforced=30), fails={AKS}),
    Case("the profile says 10, the gateway still 4", _estate(declared=10, enforced=4), fails={AKS}),
    Case("both say 4", _estate(declared=4, enforced=4), passes={AKS}),
    Case(
        "both unset: the default 4 on both sides",
        _estate(declared=None, enforced=None),
        passes={AKS},
    ),
    Case(
        "the gateway is not read: nothing to compare",
        _estate(declared=4, enforced=30, read=False),
        passes={AKS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat013.RULE, case)


def test_the_enforced_value_is_named_and_kept_by_the_fix() -> None:
    (finding,) = findings_for(nat013.RULE, CASES[0])
    assert (
        "drops idle flows after 30 minutes, but its natGatewayProfile declares 4" in finding.message
    )
    assert "--nat-gateway-idle-timeout 30" in finding.remediation
    assert finding.details == {"enforced": "30", "declared": "4"}
