from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import drf002
from tests import estate_builder as b
from tests.drift.cases import (
    ALLOWLIST_POLICY,
    NAT_A,
    OUT_OF_SCOPE_PIP,
    RT,
    SYS,
    USER,
    DriftCase,
    baseline,
    drift_findings,
    estate,
    run_drift_case,
)

NAT = "nat-gateway"


def _lb_cluster() -> dict[str, object]:
    return b.cluster(
        "aks",
        [
            b.pool("sys", b.subnet_id("vnet", "nodes")),
            b.pool("user", b.subnet_id("vnet", "nodes"), mode="User"),
        ],
        outbound_type="loadBalancer",
        load_balancer_profile={"effectiveOutboundIPs": [{"id": b.pip_id("pip-2")}]},
    )


CASES = [
    DriftCase(
        "a 0.0.0.0/0 route to an appliance now overrides the NAT gateway",
        baseline(),
        estate(nodes_route=True),
        expected={
            (SYS, "nodes"): (NAT, "udr-virtual-appliance"),
            (USER, "nodes"): (NAT, "udr-virtual-appliance"),
        },
        severities={(SYS, "nodes"): Severity.MEDIUM},
    ),
    DriftCase(
        "under an allowlist the same change is high",
        baseline(),
        estate(nodes_route=True),
        expected={
            (SYS, "nodes"): (NAT, "udr-virtual-appliance"),
            (USER, "nodes"): (NAT, "udr-virtual-appliance"),
        },
        policy=ALLOWLIST_POLICY,
        severities={(SYS, "nodes"): Severity.HIGH},
    ),
    DriftCase(
        "NAT gateway detached from a load balancer cluster's subnet: back to the load balancer",
        baseline(cluster=_lb_cluster()),
        estate(cluster=_lb_cluster(), nodes_nat=None),
        expected={
            (SYS, "nodes"): (NAT, "load-balancer"),
            (USER, "nodes"): (NAT, "load-balancer"),
        },
    ),
    DriftCase(
        "NAT gateway detached with nothing behind it: default outbound access is high",
        baseline(),
        estate(nodes_nat=None),
        expected={
            (SYS, "nodes"): (NAT, "default-outbound-access"),
            (USER, "nodes"): (NAT, "default-outbound-access"),
        },
        severities={(SYS, "nodes"): Severity.HIGH, (USER, "nodes"): Severity.HIGH},
    ),
    DriftCase("identical estates", baseline(), estate(), passes={SYS, USER}),
    DriftCase(
        "another NAT gateway is the same kind (DRF001 reports the addresses)",
        baseline(),
        estate(nodes_nat=b.nat_id("ng-b")),
        passes={SYS, USER},
    ),
    DriftCase(
        "a path unknown after is not a change of kind",
        baseline(),
        estate(nodes_nat=b.nat_id("ng-far", rg="rg-x")),
        passes={SYS, USER},
    ),
    DriftCase(
        "unknown addresses keep the kind",
        baseline(),
        estate(nat_a_ips=(OUT_OF_SCOPE_PIP,)),
        passes={SYS, USER},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: DriftCase) -> None:
    run_drift_case(drf002.RULE, case)


def test_message_and_remediation_for_a_new_route() -> None:
    finding = next(f for f in drift_findings(drf002.RULE, CASES[0]) if f.resource_id.text == SYS)
    assert finding.message.startswith(
        "Node pool sys of cluster aks now leaves through a 0.0.0.0/0 route to virtual appliance "
        "10.100.0.4 instead of NAT gateway ng-a (20.0.0.1/32)."
    )
    assert finding.observed == "udr-virtual-appliance"
    assert finding.expected == NAT
    assert finding.remediation.startswith(
        "If it was not intended, restore it: `az network route-table route delete "
        f"-g {b.RG} --route-table-name rt -n r0`. "
    )
    assert RT in b.texts(finding.evidence)
    assert NAT_A in b.texts(finding.evidence)
