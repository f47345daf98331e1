from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import lb003
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network

CASES = [
    Case(
        "Basic beside Standard",
        network(
            b.cluster(
                "old", [b.pool("sys", BARE)], outbound_type="loadBalancer", loadBalancerSku="basic"
            ),
            b.cluster("new", [b.pool("sys", GOOD)]),
        ),
        fails={b.cluster_id("old")},
        passes={b.cluster_id("new")},
        severities={b.cluster_id("old"): Severity.CRITICAL},
    ),
    Case(
        "the SKU is compared without case",
        network(b.cluster("old", [b.pool("sys", BARE)], loadBalancerSku="Basic")),
        fails={b.cluster_id("old")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(lb003.RULE, case)


def test_remediation_is_the_aks_migration() -> None:
    finding = findings_for(lb003.RULE, CASES[0])[0]
    assert finding.remediation.endswith(
        "Plan downtime, then migrate: "
        f"`az aks update -g {b.RG} -n old --load-balancer-sku standard`"
    )
    assert "from the Basic load balancer's frontend IPs" in finding.remediation
