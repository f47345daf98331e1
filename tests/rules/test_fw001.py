from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import fw001
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.hub_network import FIREWALL, FIREWALL_IP, SPOKE, hub_and_spoke

UDR = b.cluster("aks", [b.pool("sys", SPOKE)], outbound_type="userDefinedRouting")

CASES = [
    Case("two public IPs, no NAT gateway", hub_and_spoke(UDR), fails={FIREWALL}),
    Case(
        "a NAT gateway on AzureFirewallSubnet scales SNAT",
        hub_and_spoke(UDR, firewall_nat=True),
        passes={FIREWALL},
    ),
    Case("twenty public IPs", hub_and_spoke(UDR, firewall_ips=20), passes={FIREWALL}),
    Case(
        "a firewall no pool routes to",
        hub_and_spoke(b.cluster("aks", [b.pool("sys", b.subnet_id("hub", "x"))])),
        passes={FIREWALL},
    ),
    Case(
        "a Virtual WAN hub firewall with two addresses",
        b.Estate().add(
            b.vnet(
                "vspoke",
                [
                    b.subnet(
                        "nodes", "vspoke", "10.2.0.0/24", route_table=b.route_table_id("to-hub")
                    )
                ],
            ),
            b.route_table("to-hub", [("0.0.0.0/0", "VirtualAppliance", "10.200.0.4")]),
            h.hub_firewall("fw-vwan", "10.200.0.4", ("13.73.240.12", "13.73.240.13")),
            b.cluster("aks", [b.pool("sys", b.subnet_id("vspoke", "nodes"))]),
        ),
        fails={h.firewall_id("fw-vwan")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(fw001.RULE, case)


def test_message_counts_the_ports_and_the_fix_adds_a_nat_gateway() -> None:
    (finding,) = findings_for(fw001.RULE, CASES[0])
    assert "2 public IPs" in finding.message
    assert "4,992 SNAT ports" in finding.message
    assert finding.remediation.startswith(
        "This changes the egress addresses of every pool behind firewall fw-hub"
    )
    assert commands(finding.remediation) == [
        f"az network public-ip create -g {b.RG} -n fw-hub-nat-ip --sku Standard "
        f"--allocation-method Static && az network nat gateway create -g {b.RG} -n fw-hub-nat "
        f"--public-ip-addresses fw-hub-nat-ip && az network vnet subnet update -g {b.RG} "
        "--vnet-name hub -n AzureFirewallSubnet --nat-gateway fw-hub-nat"
    ]
    assert FIREWALL_IP not in finding.message


def test_the_threshold_is_a_policy_parameter() -> None:
    policy = "rules:\n  FW001:\n    min_public_ips: 2\n"
    assert findings_for(fw001.RULE, Case("two allowed", hub_and_spoke(UDR), policy=policy)) == []


def test_a_hub_firewall_raises_its_public_ip_count() -> None:
    (finding,) = findings_for(fw001.RULE, CASES[4])
    assert commands(finding.remediation) == [
        f"az network firewall update -g {b.RG} -n fw-vwan --public-ip-count 20"
    ]
