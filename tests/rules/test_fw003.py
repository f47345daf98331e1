from __future__ import annotations

import pytest

from rules import fw003
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.hub_network import SPOKE, hub_and_spoke

AKS = b.cluster_id("aks")
GROUP = f"MC_{b.RG}_aks_westeurope"
UDR = b.cluster("aks", [b.pool("sys", SPOKE)], outbound_type="userDefinedRouting")
SERVICE_LB = h.aks_load_balancer(
    "aks", {"svc-fe": "svc"}, service_rules={"svc-TCP-443": "svc-fe"}, disable_outbound_snat=True
)

CASES = [
    Case(
        "routed through the firewall with a public service",
        hub_and_spoke(UDR, SERVICE_LB, b.public_ip("svc", "20.2.0.1", rg=GROUP)),
        fails={AKS},
    ),
    Case("routed through the firewall, no public service", hub_and_spoke(UDR), passes={AKS}),
    Case(
        "a public service on a cluster that is not routed",
        hub_and_spoke(
            b.cluster(
                "aks", [b.pool("sys", b.subnet_id("hub", "x"))], outbound_type="loadBalancer"
            ),
            SERVICE_LB,
            b.public_ip("svc", "20.2.0.1", rg=GROUP),
        ),
        passes={AKS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(fw003.RULE, case)


def test_names_the_rules_and_the_balancer() -> None:
    (finding,) = findings_for(fw003.RULE, CASES[0])
    assert "rules svc-TCP-443" in finding.message
    assert "load balancer kubernetes" in finding.message
    assert finding.details == {"rules": "svc-TCP-443"}
