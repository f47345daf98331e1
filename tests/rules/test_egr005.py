from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import egr005
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

TABLES = {
    "firewall": [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")],
    "unknown-hop": [("0.0.0.0/0", "VirtualApplianceMesh", "10.100.0.4")],
    "vpn": [("0.0.0.0/0", "VirtualNetworkGateway", None)],
    "internet": [("0.0.0.0/0", "Internet", None)],
    "blackhole": [("0.0.0.0/0", "None", None)],
    "partial": [("10.0.0.0/8", "VirtualAppliance", "10.100.0.4")],
}
SUBNETS = [*TABLES, "no-table", "unread"]


def _sid(name: str) -> str:
    return b.subnet_id("vnet", name)


def _estate(outbound_type: str = "userDefinedRouting") -> b.Estate:
    subnets = [
        b.subnet(
            name,
            "vnet",
            f"10.{i}.0.0/16",
            route_table=None if name == "no-table" else b.route_table_id(f"rt-{name}"),
        )
        for i, name in enumerate(SUBNETS)
    ]
    pools = [b.pool(name.replace("-", ""), _sid(name)) for name in SUBNETS]
    pools.append(b.pool("far", b.subnet_id("other", "s", rg="rg-x")))
    return b.Estate().add(
        b.vnet("vnet", subnets),
        *(b.route_table(f"rt-{name}", routes) for name, routes in TABLES.items()),
        b.cluster("aks", pools, outbound_type=outbound_type),
    )


def _pid(name: str) -> str:
    return b.pool_id("aks", name.replace("-", ""))


CASES = [
    Case(
        "userDefinedRouting needs 0.0.0.0/0 to an appliance or gateway on every pool subnet",
        _estate(),
        fails={_pid("no-table"), _pid("partial"), _pid("internet")},
        # The blackhole is EGR006's; unread tables and subnets are unknown.
        passes={
            _pid("firewall"),
            _pid("unknown-hop"),
            _pid("vpn"),
            _pid("blackhole"),
            _pid("unread"),
            _pid("far"),
        },
    ),
    *(
        Case(
            f"outbound type {outbound} needs no route",
            _estate(outbound),
            passes={_pid("no-table"), _pid("partial"), _pid("internet")},
        )
        for outbound in ("loadBalancer", "userAssignedNATGateway", "none")
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr005.RULE, case)


def test_remediation_reuses_the_cluster_firewall_and_names_the_table() -> None:
    findings = {f.resource_id.text: f for f in findings_for(egr005.RULE, CASES[0])}
    assert commands(findings[_pid("partial")].remediation) == [
        f"az network route-table route create -g {b.RG} --route-table-name rt-partial "
        "-n default --address-prefix 0.0.0.0/0 --next-hop-type VirtualAppliance "
        "--next-hop-ip-address 10.100.0.4"
    ]
    assert "to the addresses of the firewall at 10.100.0.4" in (
        findings[_pid("partial")].remediation
    )
    (no_table,) = commands(findings[_pid("no-table")].remediation)
    assert no_table.startswith(f"az network route-table create -g {b.RG} -n rt-no-table && ")
    assert no_table.endswith(
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n no-table "
        "--route-table rt-no-table"
    )
    assert "has no route table" in findings[_pid("no-table")].message
