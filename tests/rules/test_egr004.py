from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import egr004
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

NAT = b.nat_id("ng")


def _subnet_id(name: str) -> str:
    return b.subnet_id("vnet", name)


def _estate(*rows: dict, hops: dict[str, tuple[str, str | None]] | None = None) -> b.Estate:
    """One subnet per route table; every subnet has the NAT gateway."""
    hops = hops or {}
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet(
                    name,
                    "vnet",
                    f"10.{i}.0.0/16",
                    nat=NAT,
                    route_table=b.route_table_id(f"rt-{name}"),
                )
                for i, name in enumerate(hops)
            ],
        ),
        b.nat("ng", ips=(b.pip_id("pip"),), subnets=tuple(_subnet_id(n) for n in hops)),
        b.public_ip("pip", "20.0.0.1"),
        *(
            b.route_table(f"rt-{name}", [("0.0.0.0/0", hop, ip)])
            for name, (hop, ip) in hops.items()
            if hop != "unread"
        ),
        *rows,
    )


HOPS = {
    "appliance": ("VirtualAppliance", "10.100.0.4"),
    "unknown-hop": ("VirtualApplianceMesh", "10.100.0.5"),
    "gateway": ("VirtualNetworkGateway", None),
    "internet": ("Internet", None),
    "unread": ("unread", None),
    "unused": ("VirtualAppliance", "10.100.0.4"),
}
POOLS = [b.pool(name, _subnet_id(name)) for name in HOPS if name != "unused"]


def _policy(allowed: str) -> str:
    return f"""
clusters:
  - match:
      id: "*/managedclusters/aks"
    allowed_egress: ["{allowed}"]
"""


CASES = [
    Case(
        "routes to appliances and gateways bypass the NAT gateway of pool subnets",
        _estate(b.cluster("aks", POOLS), hops=HOPS),
        fails={_subnet_id("appliance"), _subnet_id("gateway")},
        # A next hop type egress-audit does not know makes the path unknown, not overridden.
        passes={
            _subnet_id("internet"),
            _subnet_id("unread"),
            _subnet_id("unused"),
            _subnet_id("unknown-hop"),
        },
        severities={_subnet_id("appliance"): Severity.MEDIUM},
    ),
    Case(
        "high when the policy's allowlist holds the NAT gateway's address",
        _estate(b.cluster("aks", POOLS), hops=HOPS),
        fails={_subnet_id("appliance"), _subnet_id("gateway")},
        policy=_policy("20.0.0.0/24"),
        severities={_subnet_id("appliance"): Severity.HIGH},
    ),
    Case(
        "an allowlist elsewhere keeps it medium",
        _estate(b.cluster("aks", POOLS), hops=HOPS),
        fails={_subnet_id("appliance"), _subnet_id("gateway")},
        policy=_policy("20.0.1.0/24"),
        severities={_subnet_id("appliance"): Severity.MEDIUM},
    ),
    Case(
        "high when the API server's authorized ranges hold it",
        _estate(
            b.cluster(
                "aks",
                POOLS,
                api_server_access_profile={"authorizedIPRanges": ["20.0.0.1/32"]},
            ),
            hops=HOPS,
        ),
        fails={_subnet_id("appliance"), _subnet_id("gateway")},
        severities={_subnet_id("gateway"): Severity.HIGH},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr004.RULE, case)


def test_remediation_deletes_the_route_by_name() -> None:
    finding = next(
        f for f in findings_for(egr004.RULE, CASES[0]) if f.resource_id.text.endswith("appliance")
    )
    assert commands(finding.remediation) == [
        f"az network route-table route delete -g {b.RG} --route-table-name rt-appliance -n r0"
    ]
    assert finding.remediation.startswith(
        "This changes the egress addresses of subnet vnet/appliance: from virtual appliance "
        "10.100.0.4's to NAT gateway ng's (20.0.0.1/32)."
    )
    assert "virtual appliance 10.100.0.4" in finding.message


def test_half_of_the_internet_routed_to_an_appliance_bypasses_the_nat_gateway() -> None:
    estate = _estate(
        b.cluster("aks", [b.pool("split", _subnet_id("split"))]), hops={"split": ("Internet", None)}
    )
    table = next(r for r in estate.rows if r["name"] == "rt-split")
    table["properties"]["routes"] = b.route_table(
        "rt-split",
        [("0.0.0.0/1", "VirtualAppliance", "10.100.0.4"), ("128.0.0.0/1", "Internet", None)],
    )["properties"]["routes"]
    (finding,) = findings_for(egr004.RULE, Case("split", estate))
    assert finding.resource_id.text == _subnet_id("split")
    assert "virtual appliance 10.100.0.4" in finding.message


def test_an_ecmp_route_overrides_the_nat_gateway_too() -> None:
    estate = _estate(
        b.cluster("aks", [b.pool("sys", _subnet_id("ecmp"))]),
        hops={"ecmp": ("VirtualApplianceEcmp", None)},
    )
    table = next(r for r in estate.rows if r["name"] == "rt-ecmp")
    table["properties"]["routes"][0]["properties"]["nextHop"] = {
        "nextHopIpAddresses": ["10.100.0.4", "10.100.0.5"]
    }
    (finding,) = findings_for(egr004.RULE, Case("ecmp", estate))
    assert finding.resource_id.text == _subnet_id("ecmp")
    assert finding.observed == "0.0.0.0/0 → VirtualApplianceEcmp 10.100.0.4, 10.100.0.5"
