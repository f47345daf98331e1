from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import nat001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

A = b.subnet_id("vnet", "a")
B = b.subnet_id("vnet", "b")
C = b.subnet_id("vnet", "c")


def _estate() -> b.Estate:
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("a", "vnet", "10.1.0.0/16", nat=b.nat_id("empty")),
                b.subnet("b", "vnet", "10.2.0.0/16", nat=b.nat_id("subnet-side")),
                b.subnet("c", "vnet", "10.3.0.0/16", nat=b.nat_id("v6")),
                b.subnet("d", "vnet", "10.4.0.0/16", nat=b.nat_id("with-ip")),
                b.subnet("e", "vnet", "10.5.0.0/16", nat=b.nat_id("with-prefix")),
            ],
        ),
        b.vnet("vnet2", []),
        b.public_ip("v6", "2001:db8::1", publicIPAddressVersion="IPv6", sku="StandardV2"),
        b.public_ip("v4", "20.0.0.1"),
        b.nat("empty", subnets=(A,)),
        b.nat("subnet-side"),  # only the subnet's reference says it is attached
        b.nat("v6", subnets=(C,), sku="StandardV2", publicIpAddressesV6=b.refs(b.pip_id("v6"))),
        b.nat("whole-vnet", sku="StandardV2", sourceVirtualNetwork={"id": b.vnet_id("vnet2")}),
        b.nat("with-ip", ips=(b.pip_id("v4"),)),
        b.nat("with-prefix", prefixes=(b.prefix_id("gone", rg="rg-x"),)),
        b.nat("unattached"),
        b.cluster("aks", [b.pool("sys", A), b.pool("b", B)]),
    )


CASES = [
    Case(
        "attached NAT gateways without any address",
        _estate(),
        fails={b.nat_id("empty"), b.nat_id("subnet-side"), b.nat_id("whole-vnet")},
        passes={
            b.nat_id("v6"),
            b.nat_id("with-ip"),
            b.nat_id("with-prefix"),  # an unread prefix is still an address
            b.nat_id("unattached"),  # NAT002's
        },
        severities={b.nat_id("empty"): Severity.CRITICAL},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat001.RULE, case)


def test_names_the_subnets_and_pools_and_creates_a_matching_ip() -> None:
    findings = {f.resource_id.text: f for f in findings_for(nat001.RULE, CASES[0])}
    empty = findings[b.nat_id("empty")]
    assert "subnet vnet/a" in empty.message
    assert "aks/sys" in empty.message
    assert empty.remediation == (
        f"az network public-ip create -g {b.RG} -n pip-empty --sku Standard "
        f"--allocation-method Static && az network nat gateway update -g {b.RG} -n empty "
        "--public-ip-addresses pip-empty"
    )
    assert "--sku StandardV2" in findings[b.nat_id("whole-vnet")].remediation
    assert "virtual network vnet2" in findings[b.nat_id("whole-vnet")].message
