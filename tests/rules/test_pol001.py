from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import pol001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network


def _estate() -> b.Estate:
    return network(
        b.cluster("nat", [b.pool("sys", GOOD)]),
        b.cluster("lb", [b.pool("sys", BARE)], outbound_type="loadBalancer"),
        b.cluster("udr", [b.pool("sys", BARE)], outbound_type="userDefinedRouting", rg="rg-other"),
    )


ONLY_NAT = """\
clusters:
  - match: {resource_group: rg-test}
    allowed_outbound_types:
      - userassignednatgateway
"""

CASES = [
    Case(
        "only NAT gateway egress allowed (case-insensitive)",
        _estate(),
        fails={b.cluster_id("lb")},
        passes={b.cluster_id("nat"), b.cluster_id("udr", rg="rg-other")},
        policy=ONLY_NAT,
    ),
    Case(
        "no policy, no judgement",
        _estate(),
        passes={b.cluster_id("nat"), b.cluster_id("lb"), b.cluster_id("udr", rg="rg-other")},
    ),
    Case(
        "every matching entry must allow the type",
        _estate(),
        fails={b.cluster_id("nat")},
        passes={b.cluster_id("lb")},
        policy="""\
clusters:
  - match: {id: "*"}
    allowed_outbound_types: [userAssignedNATGateway, loadBalancer, userDefinedRouting]
  - match: {id: "*/managedClusters/nat"}
    allowed_outbound_types: [managedNATGateway]
""",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(pol001.RULE, case)


def test_points_at_the_policy_line_that_sets_the_list() -> None:
    (finding,) = findings_for(pol001.RULE, CASES[0])
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("egress-audit.yaml", 4)
    assert finding.message == (
        "Cluster lb has outbound type loadBalancer, which its policy entry does not allow "
        "(allowed: userassignednatgateway)."
    )
    # The command spells the type as the API does, whatever the policy's casing.
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n lb --outbound-type userAssignedNATGateway"
    ]


def _fix(allowed: str) -> str:
    policy = (
        "clusters:\n  - match: {id: '*/managedClusters/lb'}\n"
        f"    allowed_outbound_types: {allowed}\n"
    )
    (finding,) = findings_for(pol001.RULE, Case("", _estate(), policy=policy))
    return finding.remediation


def test_the_first_type_the_cli_can_set_is_the_one_to_set() -> None:
    """block is set through aks-preview, and an unknown name not at all; StandardV2 of the
    managed NAT gateway is a SKU option of Azure CLI 2.91.0."""
    fix = _fix("[block, NotAType, managedNATGatewayV2, none]")
    assert commands(fix) == [
        f"az aks update -g {b.RG} -n lb --outbound-type managedNATGateway "
        "--outbound-type-sku StandardV2"
    ]
    assert fix.endswith("(Azure CLI 2.91.0 or later)")
    assert commands(_fix("[none]")) == [f"az aks update -g {b.RG} -n lb --outbound-type none"]


def test_no_type_the_cli_can_set_gives_no_command() -> None:
    assert commands(_fix("[block]")) == []
    assert "one the policy allows (block)" in _fix("[block]")
    assert "one the policy allows (none)" in _fix("[]")
