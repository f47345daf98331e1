from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import fw002
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.hub_network import FIREWALL, SPOKE, hub_and_spoke

UDR = b.cluster("aks", [b.pool("sys", SPOKE)], outbound_type="userDefinedRouting")
POLICY = b.rid("Microsoft.Network/firewallPolicies", "fw-policy")


def _classic(*, aks_tag: bool) -> b.Estate:
    estate = hub_and_spoke(UDR)
    row = next(r for r in estate.rows if r["id"] == FIREWALL)
    h.classic_rules(row, aks_tag=aks_tag, network_ports=("UDP/1194", "TCP/9000"))
    return estate


CASES = [
    Case(
        "classic rules without the AKS FQDN tag",
        _classic(aks_tag=False),
        fails={FIREWALL},
        severities={FIREWALL: Severity.HIGH},
    ),
    Case("classic rules with the AKS FQDN tag", _classic(aks_tag=True), passes={FIREWALL}),
    Case(
        "a policy-based firewall: its rules are not in Resource Graph",
        hub_and_spoke(UDR, h.firewall_policy("fw-policy"), policy=POLICY),
        fails={FIREWALL},
        severities={FIREWALL: Severity.INFO},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(fw002.RULE, case)


def test_the_example_deny_collection_allows_nothing() -> None:
    # The REST example's classic application rule is a Deny collection for www.test.com.
    estate = hub_and_spoke(UDR)
    (finding,) = findings_for(fw002.RULE, Case("example rules", estate))
    assert "AzureKubernetesService" in finding.message


def test_the_unread_policy_is_named_and_the_fix_fills_the_node_subnet() -> None:
    (finding,) = findings_for(fw002.RULE, CASES[2])
    assert "firewall policy fw-policy" in finding.message
    assert finding.key == "policy-unread"
    (command,) = commands(finding.remediation)
    assert command.startswith(
        "az network firewall policy rule-collection-group collection add-filter-collection "
        f"-g {b.RG} --policy-name fw-policy --rcg-name <rule collection group>"
    )
    assert "--source-addresses 10.1.0.0/24 " in command
    assert command.endswith("--fqdn-tags AzureKubernetesService")


def test_every_required_fqdn_allowed_by_name_is_enough() -> None:
    estate = _classic(aks_tag=False)
    row = next(r for r in estate.rows if r["id"] == FIREWALL)
    rule = row["properties"]["applicationRuleCollections"][0]["properties"]["rules"][0]
    rule["targetFqdns"] = [
        "mcr.microsoft.com",
        "*.data.mcr.microsoft.com",
        "management.azure.com",
        "login.microsoftonline.com",
        "packages.microsoft.com",
        "acs-mirror.azureedge.net",
    ]
    assert findings_for(fw002.RULE, Case("by name", estate)) == []
