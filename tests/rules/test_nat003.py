from __future__ import annotations

from typing import Any

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat003
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

S = b.subnet_id("vnet", "s")


def _ip(name: str, **kwargs: Any) -> dict[str, Any]:
    return b.public_ip(name, "20.0.0.1", **kwargs)


def _estate() -> b.Estate:
    def nat(name: str, *ips: str, sku: str = "Standard", **extra: Any) -> dict[str, Any]:
        return b.nat(name, ips=ips, subnets=(S,), sku=sku, **extra)

    return b.Estate().add(
        b.vnet("vnet", [b.subnet("s", "vnet", "10.1.0.0/16")]),
        _ip("std"),
        _ip("v2", sku="StandardV2"),
        _ip("basic", sku="Basic", publicIPAllocationMethod="Dynamic"),
        _ip("dynamic", publicIPAllocationMethod="Dynamic"),
        _ip("routing", ipTags=[{"ipTagType": "RoutingPreference", "tag": "Internet"}]),
        _ip("ddos", ddosSettings={"protectionMode": "Enabled"}),
        _ip("inherited", ddosSettings={"protectionMode": "VirtualNetworkInherited"}),
        _ip("v6-std", publicIPAddressVersion="IPv6"),
        b.public_ip_prefix("pfx-std", "20.1.0.0/30"),
        b.public_ip_prefix("pfx-v2", "20.2.0.0/30", sku="StandardV2"),
        nat("good", b.pip_id("std"), b.pip_id("inherited")),
        nat(
            "v2-good",
            b.pip_id("v2"),
            sku="StandardV2",
            publicIpPrefixes=b.refs(b.prefix_id("pfx-v2")),
        ),
        nat("v2-on-std", b.pip_id("v2")),
        nat("std-on-v2", b.pip_id("std"), sku="StandardV2"),
        nat("std-prefix-on-v2", sku="StandardV2", publicIpPrefixes=b.refs(b.prefix_id("pfx-std"))),
        nat("basic", b.pip_id("basic")),
        nat("dynamic", b.pip_id("dynamic")),
        nat("routing", b.pip_id("routing")),
        nat("ddos", b.pip_id("ddos")),
        nat("v6", sku="StandardV2", publicIpAddressesV6=b.refs(b.pip_id("v6-std"))),
        nat("unread", b.pip_id("gone", rg="rg-x")),
    )


BAD = {"v2-on-std", "std-on-v2", "std-prefix-on-v2", "basic", "dynamic", "routing", "ddos", "v6"}
CASES = [
    Case(
        "addresses the NAT gateway cannot use",
        _estate(),
        fails={b.nat_id(name) for name in BAD},
        passes={b.nat_id("good"), b.nat_id("v2-good"), b.nat_id("unread")},
        severities={b.nat_id(name): Severity.HIGH for name in BAD},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat003.RULE, case)


def _findings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in findings_for(nat003.RULE, CASES[0]):
        found.setdefault(finding.resource_id.name, []).append(finding.observed or "")
    return found


def test_each_problem_is_named() -> None:
    assert _findings() == {
        "v2-on-std": ["SKU StandardV2 on a Standard NAT gateway"],
        "std-on-v2": ["SKU Standard on a StandardV2 NAT gateway"],
        "std-prefix-on-v2": ["SKU Standard on a StandardV2 NAT gateway"],
        "basic": ["SKU Basic on a Standard NAT gateway; allocation method Dynamic"],
        "dynamic": ["allocation method Dynamic"],
        "routing": ["routing preference Internet"],
        "ddos": ["DDoS protection enabled"],
        "v6": ["SKU Standard on a StandardV2 NAT gateway"],
    }


def test_one_finding_per_address_with_its_own_key() -> None:
    estate = b.Estate().add(
        b.public_ip("a", "20.0.0.1", sku="Basic"),
        b.public_ip("b", "20.0.0.2", publicIPAllocationMethod="Dynamic"),
        b.public_ip("c", "20.0.0.3"),
        b.nat("ng", ips=(b.pip_id("a"), b.pip_id("b"), b.pip_id("c"))),
    )
    findings = findings_for(nat003.RULE, Case("two bad", estate))
    assert sorted(f.key for f in findings) == sorted([b.pip_id("a").lower(), b.pip_id("b").lower()])
    fix = next(f.remediation for f in findings if f.key == b.pip_id("a").lower())
    assert commands(fix) == [
        f"az network public-ip create -g {b.RG} -n a-standard --sku Standard "
        f"--allocation-method Static && az network nat gateway update -g {b.RG} -n ng "
        "--public-ip-addresses b c a-standard"
    ]
    assert "20.0.0.1/32 gives way to the address of the new a-standard" in fix


def test_an_ipv6_address_is_replaced_by_an_ipv6_one_on_the_ipv6_list() -> None:
    """The IPv6 lists have their own options; an IPv4 replacement would leave IPv6 without
    an address (and `--public-ip-addresses` would not take it off)."""
    estate = b.Estate().add(
        b.public_ip("v6-std", "2001:db8::1", publicIPAddressVersion="IPv6"),
        b.public_ip("v6-ok", "2001:db8::2", sku="StandardV2", publicIPAddressVersion="IPv6"),
        b.public_ip_prefix("p6-std", "2001:db8:1::/124", publicIPAddressVersion="IPv6"),
        b.nat(
            "v6",
            sku="StandardV2",
            publicIpAddressesV6=b.refs(b.pip_id("v6-std"), b.pip_id("v6-ok")),
            publicIpPrefixesV6=b.refs(b.prefix_id("p6-std")),
        ),
    )
    fixes = {f.key: commands(f.remediation) for f in findings_for(nat003.RULE, Case("v6", estate))}
    assert fixes == {
        b.pip_id("v6-std").lower(): [
            f"az network public-ip create -g {b.RG} -n v6-std-standardv2 --sku StandardV2 "
            f"--version IPv6 --allocation-method Static && az network nat gateway update "
            f"-g {b.RG} -n v6 --pip-addresses-v6 v6-ok v6-std-standardv2"
        ],
        b.prefix_id("p6-std").lower(): [
            f"az network public-ip prefix create -g {b.RG} -n p6-std-standardv2 --version IPv6 "
            f"--length 124 --sku StandardV2 && az network nat gateway update -g {b.RG} -n v6 "
            "--pip-prefixes-v6 p6-std-standardv2"
        ],
    }
