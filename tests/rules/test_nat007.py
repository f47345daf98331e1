from __future__ import annotations

import pytest

from auditor.fixtext import commands
from rules import nat007
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network


def _policy(seconds: int, cluster_glob: str = "*/managedclusters/aks") -> str:
    return f"""
clusters:
  - match:
      id: "{cluster_glob}"
    workloads:
      - name: longpoll
        max_idle_seconds: {seconds}
"""


def _lb_cluster() -> b.Estate:
    return network(
        b.public_ip("lb", "20.0.0.5"),
        b.cluster(
            "aks",
            [b.pool("sys", BARE)],
            outbound_type="loadBalancer",
            load_balancer_profile={
                "effectiveOutboundIPs": [{"id": b.pip_id("lb")}],
                "idleTimeoutInMinutes": 30,
            },
        ),
    )


SYS = b.pool_id("aks", "sys")
CASES = [
    # The NAT gateway default idle timeout is 4 minutes = 240 s.
    Case(
        "239 s fits the NAT default",
        network(b.cluster("aks", [b.pool("sys", GOOD)])),
        passes={SYS},
        policy=_policy(239),
    ),
    Case(
        "240 s does not",
        network(b.cluster("aks", [b.pool("sys", GOOD)])),
        fails={SYS},
        policy=_policy(240),
    ),
    Case(
        "1799 s fits the AKS load balancer's 30 minutes",
        _lb_cluster(),
        passes={SYS},
        policy=_policy(1799),
    ),
    Case("1800 s does not", _lb_cluster(), fails={SYS}, policy=_policy(1800)),
    Case(
        "a cluster the policy does not match",
        network(b.cluster("aks", [b.pool("sys", GOOD)])),
        passes={SYS},
        policy=_policy(600, "*/managedclusters/other"),
    ),
    Case(
        "an unknown egress device is not judged",
        network(b.cluster("aks", [b.pool("sys", b.subnet_id("far", "s", rg="x"))])),
        passes={SYS},
        policy=_policy(6000),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat007.RULE, case)


def test_points_at_the_declaring_policy_line_and_fills_the_nat_command() -> None:
    (finding,) = findings_for(nat007.RULE, CASES[1])
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("egress-audit.yaml", 7)
    assert commands(finding.remediation) == [
        f"az network nat gateway update -g {b.RG} -n ng --idle-timeout 5"
    ]


def test_load_balancer_remediation_uses_aks_update() -> None:
    (finding,) = findings_for(nat007.RULE, CASES[3])
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n aks --load-balancer-idle-timeout 31"
    ]
