from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import lb004
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.cases import Case, findings_for, run_case

NODES = b.subnet_id("vnet", "nodes")
AKS = b.cluster_id("aks")
GROUP = f"MC_{b.RG}_aks_westeurope"


def _estate(*, disable: bool, outbound_type: str = "loadBalancer", nat: bool = False) -> b.Estate:
    return b.Estate().add(
        b.vnet(
            "vnet", [b.subnet("nodes", "vnet", "10.1.0.0/24", nat=b.nat_id("ng") if nat else None)]
        ),
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        b.public_ip("outbound", "20.1.0.1", rg=GROUP),
        b.public_ip("svc", "20.2.0.1", rg=GROUP),
        h.aks_load_balancer(
            "aks",
            {"outbound-fe": "outbound", "svc-fe": "svc"},
            service_rules={"svc-TCP-443": "svc-fe"},
            outbound={"aksOutboundRule": "outbound-fe"},
            disable_outbound_snat=disable,
        ),
        b.cluster("aks", [b.pool("sys", NODES)], outbound_type=outbound_type),
    )


CASES = [
    Case("a service frontend that SNATs", _estate(disable=False), fails={AKS}),
    Case("disableOutboundSnat on the rule", _estate(disable=True), passes={AKS}),
    Case(
        "a NAT gateway takes over outbound",
        _estate(disable=False, outbound_type="userAssignedNATGateway", nat=True),
        passes={AKS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(lb004.RULE, case)


def test_names_the_frontend_beside_the_outbound_ip() -> None:
    (finding,) = findings_for(lb004.RULE, CASES[0])
    assert finding.message == (
        "Node pool sys of cluster aks may leave from 20.2.0.1/32, the frontends of "
        "load-balancing rules svc-TCP-443 without disableOutboundSnat, beside its outbound IPs "
        "20.1.0.1/32."
    )
    assert finding.details == {"frontends": "20.2.0.1/32", "rules": "svc-TCP-443"}
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n nodes --nat-gateway "
        "<NAT gateway ID>"
    ]
    assert finding.remediation.endswith(
        "or add 20.2.0.1/32 to every destination allowlist and to allowed_egress"
    )
