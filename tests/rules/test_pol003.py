from __future__ import annotations

import pytest

from rules import pol003
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network

# Pools in GOOD leave from the NAT gateway's 20.0.0.1; pools in BARE through default outbound
# access (unknown addresses).
SYS = b.pool_id("aks", "sys")
DOA = b.pool_id("aks", "doa")


def _estate() -> b.Estate:
    return network(b.cluster("aks", [b.pool("sys", GOOD), b.pool("doa", BARE, mode="User")]))


def _policy(*allowed: str) -> str:
    return (
        "clusters:\n  - match: {id: '*/managedClusters/aks'}\n"
        f"    allowed_egress: [{', '.join(allowed)}]\n"
    )


CASES = [
    Case("the NAT IP is allowlisted", _estate(), passes={SYS, DOA}, policy=_policy("20.0.0.1")),
    Case(
        "the allowlisted prefix covers it",
        _estate(),
        passes={SYS},
        policy=_policy("20.0.0.0/28"),
    ),
    Case(
        "the NAT IP is outside the allowlist; unknown egress is not judged",
        _estate(),
        fails={SYS},
        passes={DOA},
        policy=_policy("20.61.16.0/28"),
    ),
    Case("no allowed_egress, no judgement", _estate(), passes={SYS, DOA}),
    Case(
        "every matching entry must allow the egress",
        _estate(),
        fails={SYS},
        policy=_policy("20.0.0.0/24") + "  - match: {resource_group: rg-test}\n"
        "    allowed_egress: ['198.51.100.0/24']\n",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(pol003.RULE, case)


def test_points_at_the_allowlist_and_the_nat_gateway() -> None:
    (finding,) = findings_for(pol003.RULE, CASES[2])
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("egress-audit.yaml", 3)
    assert finding.message == (
        "Node pool sys of cluster aks egresses from 20.0.0.1/32, outside the addresses its "
        "policy entry allows (20.61.16.0/28)."
    )
    assert finding.remediation == (
        "Give the NAT gateway addresses inside 20.61.16.0/28: az network nat gateway update "
        f"-g {b.RG} -n ng --public-ip-prefixes <prefix ID>; or add the new egress to the "
        "destinations' allowlist and to the policy"
    )
