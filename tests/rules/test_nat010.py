from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat010
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import managed_nat_cluster

S = b.subnet_id("vnet", "s")
MANAGED = b.nat_id("aks-nat-gateway", rg=f"MC_{b.RG}_mng_westeurope")


def _estate() -> b.Estate:
    ips = [b.public_ip(f"ip{i}", f"20.0.0.{i}") for i in range(1, 4)]
    v6 = [
        b.public_ip(f"v6-{i}", f"2001:db8::{i}", sku="StandardV2", publicIPAddressVersion="IPv6")
        for i in (1, 2)
    ]
    return b.Estate().add(
        b.vnet("vnet", [b.subnet("s", "vnet", "10.1.0.0/16")]),
        *ips,
        *v6,
        b.public_ip_prefix("px", "20.1.0.0/31"),
        b.nat("one", ips=(b.pip_id("ip1"),), subnets=(S,)),
        b.nat("two", ips=(b.pip_id("ip1"), b.pip_id("ip2")), subnets=(S,)),
        b.nat("three", ips=tuple(r["id"] for r in ips)),
        b.nat(
            "mixed",
            ips=(b.pip_id("ip1"), b.pip_id("ip2")),
            prefixes=(b.prefix_id("px"),),
        ),
        b.nat(
            "v6",
            sku="StandardV2",
            publicIpAddressesV6=b.refs(*(r["id"] for r in v6)),
        ),
        *managed_nat_cluster("mng", [b.pool("sys")], profile={}, ips=2),
    )


CASES = [
    Case(
        "two or more individual IPs and no prefix",
        _estate(),
        fails={b.nat_id("two"), b.nat_id("three"), b.nat_id("v6")},
        passes={b.nat_id("one"), b.nat_id("mixed"), MANAGED},
        severities={b.nat_id("two"): Severity.INFO},
    ),
    Case(
        "the policy raises the count",
        _estate(),
        fails={b.nat_id("three")},
        passes={b.nat_id("two"), b.nat_id("v6")},
        policy="rules:\n  NAT010: {min_individual_ips: 3}\n",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat010.RULE, case)


def test_prefix_sized_to_the_ips_and_v6_keyed_apart() -> None:
    findings = {f.resource_id.name: f for f in findings_for(nat010.RULE, CASES[0])}
    assert commands(findings["two"].remediation) == [
        f"az network public-ip prefix create -g {b.RG} -n two-prefix --length 31 --sku Standard "
        f"&& az network nat gateway update -g {b.RG} -n two --public-ip-prefixes two-prefix"
    ]
    assert findings["two"].remediation.endswith(
        ", then move allowlists to the prefix and remove the individual IPs"
    )
    assert "--length 30" in findings["three"].remediation
    assert "20.0.0.1/32, 20.0.0.2/32" in findings["two"].message
    assert findings["v6"].key == "ipv6"
    assert findings["two"].key == ""
