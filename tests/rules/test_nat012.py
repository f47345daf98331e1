from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat012
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

DUAL = ["IPv4", "IPv6"]


def _sid(name: str) -> str:
    return b.subnet_id("vnet", name)


def _estate() -> b.Estate:
    nats = {
        "v2": {"sku": "StandardV2"},
        "v2-ipv6": {"sku": "StandardV2", "publicIpAddressesV6": b.refs(b.pip_id("v6"))},
        "std": {},
    }
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                *(
                    b.subnet(name, "vnet", f"10.{i}.0.0/16", nat=b.nat_id(name))
                    for i, name in enumerate(nats)
                ),
                b.subnet("far", "vnet", "10.9.0.0/16", nat=b.nat_id("gone", rg="rg-x")),
            ],
        ),
        b.public_ip("pip", "20.0.0.1", sku="StandardV2"),
        b.public_ip("v6", "2001:db8::1", sku="StandardV2", publicIPAddressVersion="IPv6"),
        *(
            b.nat(name, ips=(b.pip_id("pip"),), subnets=(_sid(name),), **kw)
            for name, kw in nats.items()
        ),
        b.cluster("dual", [b.pool("sys", _sid("v2")), b.pool("std", _sid("std"))], ipFamilies=DUAL),
        b.cluster("ipv6ok", [b.pool("sys", _sid("v2-ipv6"))], ipFamilies=DUAL),
        b.cluster("v4", [b.pool("sys", _sid("v2"))], ipFamilies=["IPv4"]),
        b.cluster("std", [b.pool("sys", _sid("std"))], ipFamilies=DUAL),
        b.cluster("far", [b.pool("sys", _sid("far"))], ipFamilies=DUAL),
    )


NODE_RG = "MC_rg-test_managed_westeurope"


def _managed() -> b.Estate:
    """A dual-stack cluster whose AKS-managed NAT gateway is StandardV2 without IPv6."""
    nat = b.nat_id("aks-nat", rg=NODE_RG)
    subnet = b.subnet("aks-subnet", "aks-vnet-1", "10.224.0.0/16", nat=nat)
    return b.Estate().add(
        b.vnet("aks-vnet-1", [subnet], rg=NODE_RG),
        b.public_ip("aks-ip", "20.0.0.9", sku="StandardV2", rg=NODE_RG),
        b.nat("aks-nat", ips=(b.pip_id("aks-ip", rg=NODE_RG),), sku="StandardV2", rg=NODE_RG),
        b.cluster(
            "managed",
            [b.pool("sys")],
            outbound_type="managedNATGateway",
            nat_gateway_profile={"managedOutboundIPProfile": {"count": 1}},
            node_resource_group=NODE_RG,
            ipFamilies=DUAL,
        ),
    )


CASES = [
    Case(
        "dual-stack behind a StandardV2 NAT gateway without IPv6",
        _estate(),
        fails={b.cluster_id("dual")},
        passes={b.cluster_id(n) for n in ("ipv6ok", "v4", "std", "far")},
        severities={b.cluster_id("dual"): Severity.MEDIUM},
    ),
    Case(
        "an AKS-managed StandardV2 NAT gateway without IPv6",
        _managed(),
        fails={b.cluster_id("managed")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat012.RULE, case)


def test_names_the_gateway_and_the_pools() -> None:
    (finding,) = findings_for(nat012.RULE, CASES[0])
    assert "StandardV2 NAT gateway v2 without IPv6" in finding.message
    assert "node pools sys:" in finding.message
    assert commands(finding.remediation)[0].startswith(
        f"az network public-ip create -g {b.RG} -n pip6-v2 --sku StandardV2 --version IPv6"
    )


def test_a_managed_gateway_changes_through_the_cluster_on_a_cli_that_has_the_flags() -> None:
    (finding,) = findings_for(nat012.RULE, CASES[1])
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n managed --outbound-type-sku StandardV2 "
        "--nat-gateway-managed-outbound-ipv6-count 1"
    ]
    assert finding.remediation.endswith("` (Azure CLI 2.91.0 or later)")
