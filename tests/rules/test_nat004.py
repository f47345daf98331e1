from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat004
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case


def _sid(name: str) -> str:
    return b.subnet_id("vnet", name)


def _estate(nats: dict[str, dict], pools: list[dict]) -> b.Estate:
    """One subnet per NAT gateway, named after it."""
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet(name, "vnet", f"10.{i}.0.0/16", nat=b.nat_id(name))
                for i, name in enumerate(nats)
            ],
        ),
        b.public_ip("pip", "20.0.0.1"),
        *(
            b.nat(name, ips=(b.pip_id("pip"),), subnets=(_sid(name),), **kwargs)
            for name, kwargs in nats.items()
        ),
        b.cluster("aks", pools),
    )


NATS = {
    "nozone": {},
    "zonal": {"zones": ("1",)},
    "v2": {"sku": "StandardV2"},
    "split": {},
    "single": {"zones": ("2",)},
    "regional": {},
}
POOLS = [
    b.pool("a", _sid("nozone"), zones=("1", "2", "3")),
    b.pool("b", _sid("zonal"), zones=("1", "2")),
    b.pool("c", _sid("v2"), zones=("1", "2", "3")),
    b.pool("d1", _sid("split"), zones=("1",)),
    b.pool("d2", _sid("split"), zones=("2",)),
    b.pool("e", _sid("single"), zones=("2",)),
    b.pool("f", _sid("regional"), zones=()),
]

MANAGED_GROUP = "MC_rg-test_aks_westeurope"


def _managed() -> b.Estate:
    """A zone-spanning pool behind its cluster's AKS-managed Standard NAT gateway."""
    group = MANAGED_GROUP
    return b.Estate().add(
        b.vnet(
            "aks-vnet-1",
            [
                b.subnet(
                    "aks-subnet",
                    "aks-vnet-1",
                    "10.224.0.0/16",
                    nat=b.nat_id("aks-nat", group),
                    rg=group,
                )
            ],
            rg=group,
        ),
        b.nat("aks-nat", rg=group, subnets=(b.subnet_id("aks-vnet-1", "aks-subnet", group),)),
        b.cluster("aks", [b.pool("sys", zones=("1", "2", "3"))], outbound_type="managedNATGateway"),
    )


CASES = [
    Case(
        "Standard NAT gateways serving pools in several zones",
        _estate(NATS, POOLS),
        fails={b.nat_id("nozone"), b.nat_id("zonal"), b.nat_id("split")},
        passes={b.nat_id("v2"), b.nat_id("single"), b.nat_id("regional")},
        severities={b.nat_id("nozone"): Severity.MEDIUM},
    ),
    Case(
        "an AKS-managed Standard NAT gateway serving several zones",
        _managed(),
        fails={b.nat_id("aks-nat", MANAGED_GROUP)},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat004.RULE, case)


def test_fix_builds_a_standardv2_gateway_and_moves_the_subnet() -> None:
    finding = next(
        f for f in findings_for(nat004.RULE, CASES[0]) if f.resource_id.text == b.nat_id("split")
    )
    assert "zones 1, 2" in finding.message
    assert commands(finding.remediation) == [
        f"az network public-ip create -g {b.RG} -n pip-split-v2 --sku StandardV2 "
        f"--allocation-method Static && az network nat gateway create -g {b.RG} -n split-v2 "
        f"--sku StandardV2 --public-ip-addresses pip-split-v2 && az network vnet subnet update "
        f"-g {b.RG} --vnet-name vnet -n split --nat-gateway {b.nat_id('split-v2')}"
    ]
    assert "every pool behind NAT gateway split" in finding.remediation


def test_managed_nat_gateway_moves_through_aks() -> None:
    (finding,) = findings_for(nat004.RULE, CASES[1])
    assert finding.resource_id.text == b.nat_id("aks-nat", MANAGED_GROUP)
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n aks --outbound-type managedNATGateway "
        "--outbound-type-sku StandardV2"
    ]
    assert finding.remediation.endswith("` (Azure CLI 2.91.0 or later)")
