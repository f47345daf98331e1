from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import drf003
from tests import estate_builder as b
from tests.drift.cases import (
    NAT_A,
    NAT_B,
    NODES,
    OTHER,
    PODS,
    VNET,
    DriftCase,
    baseline,
    drift_findings,
    estate,
    run_drift_case,
)

CASES = [
    DriftCase(
        "the node subnet lost its NAT gateway",
        baseline(),
        estate(nodes_nat=None),
        expected={(NODES, ""): (NAT_A, "")},
        passes={OTHER, PODS},
        severities={(NODES, ""): Severity.HIGH},
    ),
    DriftCase(
        "the node subnet gained one",
        baseline(nodes_nat=None),
        estate(),
        expected={(NODES, ""): ("", NAT_A)},
        severities={(NODES, ""): Severity.MEDIUM},
    ),
    DriftCase(
        "the node subnet swapped NAT gateways",
        baseline(),
        estate(nodes_nat=NAT_B),
        expected={(NODES, ""): (NAT_A, NAT_B)},
        severities={(NODES, ""): Severity.HIGH},
    ),
    DriftCase(
        "a pod subnet counts too",
        baseline(pools=[b.pool("sys", NODES, pod_subnet=PODS)]),
        estate(pools=[b.pool("sys", NODES, pod_subnet=PODS)], pods_nat=None),
        expected={(PODS, ""): (NAT_A, "")},
        passes={NODES},
    ),
    DriftCase(
        "a subnet no node pool uses is not egress",
        baseline(),
        estate(other_nat=None),
        passes={OTHER, NODES},
    ),
    DriftCase("identical estates", baseline(), estate(), passes={NODES, OTHER, PODS}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: DriftCase) -> None:
    run_drift_case(drf003.RULE, case)


def test_lost_nat_message_remediation_and_attribution_targets() -> None:
    (finding,) = drift_findings(drf003.RULE, CASES[0])
    assert finding.message.startswith(
        "Subnet vnet/nodes, used by node pools sys, user, lost NAT gateway ng-a since the baseline."
    )
    assert finding.observed == "no NAT gateway"
    assert finding.expected == NAT_A
    assert finding.details["removed"] == NAT_A
    assert finding.details["added"] == ""
    assert finding.remediation.startswith(
        "If it was not intended, restore it: `az network vnet subnet update "
        f"-g {b.RG} --vnet-name vnet -n nodes --nat-gateway {NAT_A}`. "
    )
    # Subnet changes are filed under the VNet; NAT-side changes under the NAT gateway.
    assert NODES in b.texts(finding.evidence)
    assert NAT_A in b.texts(finding.evidence)
    assert VNET not in b.texts(finding.evidence)  # mapped at attribution time, not stored


def test_gained_nat_remediation_removes_it() -> None:
    (finding,) = drift_findings(drf003.RULE, CASES[1])
    assert "--remove natGateway" in finding.remediation
