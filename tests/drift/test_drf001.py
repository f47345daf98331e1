from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import drf001
from tests import estate_builder as b
from tests.drift.cases import (
    ALLOWLIST_POLICY,
    NAT_A,
    NAT_B,
    NODES,
    OUT_OF_SCOPE_PIP,
    PIP1,
    PIP2,
    PODS,
    SYS,
    USER,
    DriftCase,
    baseline,
    drift_findings,
    estate,
    run_drift_case,
)

ONE = "20.0.0.1/32"
TWO = "20.0.0.1/32, 20.0.0.2/32"

CASES = [
    DriftCase(
        "a public IP added to the NAT gateway of both pools",
        baseline(),
        estate(nat_a_ips=(PIP1, PIP2)),
        expected={(SYS, "nodes"): (ONE, TWO), (USER, "nodes"): (ONE, TWO)},
        severities={(SYS, "nodes"): Severity.MEDIUM},
    ),
    DriftCase(
        "the same change under an allowed_egress allowlist is high",
        baseline(),
        estate(nat_a_ips=(PIP1, PIP2)),
        expected={(SYS, "nodes"): (ONE, TWO), (USER, "nodes"): (ONE, TWO)},
        policy=ALLOWLIST_POLICY,
        severities={(SYS, "nodes"): Severity.HIGH, (USER, "nodes"): Severity.HIGH},
    ),
    DriftCase(
        "the node subnet moved to another NAT gateway",
        baseline(),
        estate(nodes_nat=NAT_B),
        expected={
            (SYS, "nodes"): (ONE, "20.0.0.3/32"),
            (USER, "nodes"): (ONE, "20.0.0.3/32"),
        },
    ),
    DriftCase(
        "the pod subnet's NAT gateway changed: the pods' addresses drift, the nodes' do not",
        baseline(pools=[b.pool("sys", b.subnet_id("vnet", "other"), pod_subnet=PODS)]),
        estate(
            pools=[b.pool("sys", b.subnet_id("vnet", "other"), pod_subnet=PODS)], pods_nat=NAT_B
        ),
        expected={(SYS, "pods"): (ONE, "20.0.0.3/32")},
    ),
    DriftCase(
        "identical estates",
        baseline(),
        estate(),
        passes={SYS, USER},
    ),
    DriftCase(
        "addresses unknown after (an out-of-scope public IP) are not a change",
        baseline(),
        estate(nat_a_ips=(PIP1, OUT_OF_SCOPE_PIP)),
        passes={SYS, USER},
    ),
    DriftCase(
        "addresses unknown before are not a change either",
        baseline(nat_a_ips=(OUT_OF_SCOPE_PIP,)),
        estate(),
        passes={SYS, USER},
    ),
    DriftCase(
        "NAT gateway to virtual appliance: unknown addresses, left to DRF002",
        baseline(),
        estate(nodes_route=True),
        passes={SYS, USER},
    ),
    DriftCase(
        "a new pool has nothing to compare (DRF006 reports it)",
        baseline(),
        estate(pools=[b.pool("sys", NODES), b.pool("new", NODES)]),
        passes={SYS, b.pool_id("aks", "new")},
    ),
    DriftCase(
        "every address removed: no egress left is high",
        baseline(),
        estate(nat_a_ips=()),
        expected={(SYS, "nodes"): (ONE, ""), (USER, "nodes"): (ONE, "")},
        severities={(SYS, "nodes"): Severity.HIGH, (USER, "nodes"): Severity.HIGH},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: DriftCase) -> None:
    run_drift_case(drf001.RULE, case)


def test_swapped_ip_names_added_and_removed() -> None:
    case = DriftCase("swap", baseline(), estate(nat_a_ips=(PIP2,)))
    finding = next(f for f in drift_findings(drf001.RULE, case) if f.resource_id.text == SYS)
    assert finding.details["added"] == "20.0.0.2/32"
    assert finding.details["removed"] == "20.0.0.1/32"
    assert finding.observed == "20.0.0.2/32"
    assert finding.expected == "20.0.0.1/32"
    assert finding.message.startswith(
        "Node pool sys of cluster aks now leaves from 20.0.0.2/32 instead of 20.0.0.1/32 "
        "(added 20.0.0.2/32; removed 20.0.0.1/32)."
    )
    assert finding.remediation.startswith(
        "If it was not intended, restore the previous egress: `az network nat gateway update "
        f"-g {b.RG} -n ng-a --public-ip-addresses {PIP1}`. "
    )
    assert NAT_A in b.texts(finding.evidence)


def test_moved_subnet_remediation_reattaches_the_old_nat() -> None:
    case = DriftCase("moved", baseline(), estate(nodes_nat=NAT_B))
    finding = next(f for f in drift_findings(drf001.RULE, case) if f.resource_id.text == SYS)
    assert finding.remediation.startswith(
        "If it was not intended, restore the previous egress: `az network vnet subnet update "
        f"-g {b.RG} --vnet-name vnet -n nodes --nat-gateway {NAT_A}`. "
    )
