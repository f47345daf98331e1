from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import nat008
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import managed_nat_cluster


def _estate(
    nat_idle: int | None,
    profile: dict | None,
    name: str = "aks",
    outbound: str = "userAssignedNATGateway",
) -> b.Estate:
    subnet = b.subnet_id("vnet", "s")
    return b.Estate().add(
        b.vnet("vnet", [b.subnet("s", "vnet", "10.1.0.0/16", nat=b.nat_id("ng"))]),
        b.public_ip("pip", "20.0.0.1"),
        b.nat("ng", ips=(b.pip_id("pip"),), subnets=(subnet,), idle=nat_idle),
        b.cluster(
            name, [b.pool("sys", subnet)], load_balancer_profile=profile, outbound_type=outbound
        ),
    )


LB = "loadBalancer"


AKS = b.cluster_id("aks")
CASES = [
    Case(
        "migrated from a 30-minute load balancer to a 4-minute NAT gateway",
        _estate(4, {"idleTimeoutInMinutes": 30}),
        fails={AKS},
        severities={AKS: Severity.MEDIUM},
    ),
    Case(
        "a NAT gateway on the subnet of a loadBalancer cluster: the rule's AKS default of 30",
        _estate(None, {"managedOutboundIPs": {"count": 1}}, outbound=LB),
        fails={AKS},
    ),
    Case(
        "29 minutes on the NAT gateway is still shorter", _estate(29, {}, outbound=LB), fails={AKS}
    ),
    Case("30 minutes on the NAT gateway matches", _estate(30, {}, outbound=LB), passes={AKS}),
    Case(
        "migrated: AKS keeps only inbound settings in the profile, no evidence of a timeout",
        _estate(4, {"backendPoolType": "NodeIPConfiguration"}),
        passes={AKS},
    ),
    Case(
        "a 4-minute load balancer lost nothing",
        _estate(4, {"idleTimeoutInMinutes": 4}),
        passes={AKS},
    ),
    Case("no load balancer profile, no history", _estate(4, None), passes={AKS}),
    Case(
        "the policy sets the assumed load balancer default",
        _estate(10, {}, outbound=LB),
        passes={AKS},
        policy="rules:\n  NAT008: {aks_lb_default_idle_minutes: 10}\n",
    ),
    Case(
        "a managed NAT gateway after a load balancer",
        b.Estate().add(
            *managed_nat_cluster("mng", [b.pool("sys")], profile={"idleTimeoutInMinutes": 4})
        ),
        passes={b.cluster_id("mng")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat008.RULE, case)


def test_keepalive_first_then_the_nat_timeout() -> None:
    (finding,) = findings_for(nat008.RULE, CASES[0])
    assert finding.remediation == (
        "Set TCP keepalives below 240 s in the workloads (see NAT007); last resort: "
        f"az network nat gateway update -g {b.RG} -n ng --idle-timeout 30"
    )


def test_managed_nat_gateway_timeout_goes_through_aks() -> None:
    rows = managed_nat_cluster("mng", [b.pool("sys")], profile={"idleTimeoutInMinutes": 4})
    rows[-1]["properties"]["networkProfile"]["loadBalancerProfile"] = {"idleTimeoutInMinutes": 30}
    (finding,) = findings_for(nat008.RULE, Case("managed", b.Estate().add(*rows)))
    assert finding.remediation.endswith(
        f"az aks update -g {b.RG} -n mng --nat-gateway-idle-timeout 30"
    )
