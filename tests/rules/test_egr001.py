from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import egr001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, NAT, PRIVATE, network

CASES = [
    Case(
        "pools outside the NAT subnet",
        network(
            b.cluster(
                "aks", [b.pool("sys", GOOD), b.pool("batch", BARE), b.pool("locked", PRIVATE)]
            )
        ),
        fails={b.pool_id("aks", "batch"), b.pool_id("aks", "locked")},
        passes={b.pool_id("aks", "sys")},
        severities={
            b.pool_id("aks", "batch"): Severity.HIGH,
            b.pool_id("aks", "locked"): Severity.CRITICAL,
        },
    ),
    *(
        Case(
            f"outbound type {outbound} does not promise NAT egress",
            network(b.cluster("aks", [b.pool("batch", BARE)], outbound_type=outbound)),
            passes={b.pool_id("aks", "batch")},
        )
        for outbound in ("loadBalancer", "userDefinedRouting", "none")
    ),
    Case(
        "every pool subnet has the NAT",
        network(b.cluster("aks", [b.pool("sys", GOOD), b.pool("user", GOOD, mode="User")])),
        passes={b.pool_id("aks", "sys"), b.pool_id("aks", "user")},
    ),
    Case(
        "an unread subnet is unknown, not missing",
        network(
            b.cluster(
                "aks",
                [b.pool("sys", GOOD), b.pool("far", b.subnet_id("elsewhere", "n", rg="rg-x"))],
            )
        ),
        passes={b.pool_id("aks", "far")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr001.RULE, case)


def test_remediation_names_the_subnet_and_the_cluster_nat() -> None:
    finding = next(
        f for f in findings_for(egr001.RULE, CASES[0]) if f.resource_id.text.endswith("batch")
    )
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n bare --nat-gateway {NAT}"
    ]
    assert finding.remediation.startswith(
        "This changes the egress addresses of node pool batch: from default outbound access"
    )
