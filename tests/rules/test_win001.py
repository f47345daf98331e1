from __future__ import annotations

from typing import Any

import pytest

from rules import win001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network


def _win(name: str, subnet: str, **extra: Any) -> dict[str, Any]:
    return b.pool(name, subnet, mode="User", os_type="Windows", count=2, **extra)


POOL = b.pool_id("aks", "win")
CASES = [
    Case(
        "Windows pools behind the NAT gateway, with and without OutboundNAT",
        network(
            b.cluster(
                "aks",
                [
                    b.pool("sys", GOOD),
                    _win("win", GOOD),
                    _win("winoff", GOOD, windowsProfile={"disableOutboundNat": True}),
                    _win("winf", GOOD, windowsProfile={"disableOutboundNat": False}),
                ],
            )
        ),
        fails={POOL, b.pool_id("aks", "winf")},
        passes={b.pool_id("aks", "sys"), b.pool_id("aks", "winoff")},
    ),
    Case(
        "a Windows pool that does not leave through the NAT gateway",
        network(b.cluster("aks", [b.pool("sys", GOOD), _win("win", BARE)])),
        passes={POOL},
    ),
    Case(
        "a load balancer outbound type cannot disable OutboundNAT",
        network(b.cluster("aks", [_win("win", GOOD)], outbound_type="loadBalancer")),
        passes={POOL},
    ),
    Case(
        "an unread subnet is not judged",
        network(b.cluster("aks", [_win("win", b.subnet_id("far", "s", rg="rg-x"))])),
        passes={POOL},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(win001.RULE, case)


def test_remediation_adds_a_replacement_pool() -> None:
    finding = next(f for f in findings_for(win001.RULE, CASES[0]) if f.resource_id.text == POOL)
    assert finding.remediation == (
        "Add a Windows pool without OutboundNAT "
        f"(`az aks nodepool add -g {b.RG} --cluster-name aks -n win2 --os-type Windows "
        f"--disable-windows-outbound-nat --node-count 2 --vnet-subnet-id {GOOD}`), "
        "move the workloads, then delete this one "
        f"(`az aks nodepool delete -g {b.RG} --cluster-name aks -n win`)"
    )
