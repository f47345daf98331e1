from __future__ import annotations

from typing import Any

import pytest

from rules import lb001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network

AKS = b.cluster_id("aks")


def _lb(profile: dict[str, Any] | None, *pools: dict[str, Any], **extra: Any) -> b.Estate:
    return network(
        b.public_ip("lb", "20.0.0.5"),
        b.cluster(
            "aks",
            list(pools) or [b.pool("sys", BARE)],
            outbound_type="loadBalancer",
            load_balancer_profile=profile,
            **extra,
        ),
    )


EFFECTIVE = {"effectiveOutboundIPs": [{"id": b.pip_id("lb")}]}

CASES = [
    Case(
        "allocatedOutboundPorts 0 is the default table",
        _lb({**EFFECTIVE, "allocatedOutboundPorts": 0}),
        fails={AKS},
    ),
    Case("allocatedOutboundPorts unset", _lb(EFFECTIVE), fails={AKS}),
    Case("no load balancer profile at all", _lb(None), fails={AKS}),
    Case(
        "an explicit allocation",
        _lb({**EFFECTIVE, "allocatedOutboundPorts": 1024}),
        passes={AKS},
    ),
    Case(
        "a NAT gateway outbound type does not use the load balancer's SNAT",
        network(
            b.cluster(
                "aks",
                [b.pool("sys", GOOD)],
                load_balancer_profile={"allocatedOutboundPorts": 0},
            )
        ),
        passes={AKS},
    ),
    Case(
        "every pool leaves by its subnet's NAT gateway: the outbound rules carry nothing",
        _lb(EFFECTIVE, b.pool("sys", GOOD)),
        passes={AKS},
    ),
    Case(
        "one pool still leaves through the outbound rules",
        _lb(EFFECTIVE, b.pool("sys", GOOD), b.pool("bare", BARE)),
        fails={AKS},
    ),
    Case(
        "a Basic load balancer has no outbound rules to size (LB003)",
        _lb(None, loadBalancerSku="basic"),
        passes={AKS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(lb001.RULE, case)


def test_remediation_sizes_ips_for_maximum_nodes_plus_surge() -> None:
    # 60 (autoscaler max) + 6 surge (10 % of 60) + 3 + 1 (default surge) = 70 nodes
    # × 1024 ports = 71,680 > 64,000: two managed outbound IPs.
    case = Case(
        "big",
        _lb(
            EFFECTIVE,
            b.pool("sys", BARE),
            b.pool(
                "user",
                BARE,
                mode="User",
                enableAutoScaling=True,
                minCount=3,
                maxCount=60,
                upgradeSettings={"maxSurge": "10%"},
            ),
        ),
        fails={AKS},
    )
    (finding,) = run_case(lb001.RULE, case)
    assert finding.remediation == (
        f"az aks update -g {b.RG} -n aks --load-balancer-outbound-ports 1024 "
        "--load-balancer-managed-outbound-ip-count 2"
    )


def test_remediation_gives_ports_for_a_declared_peak() -> None:
    policy = """
clusters:
  - match: {id: "*/managedClusters/aks"}
    workloads:
      - name: fanout
        peak_connections_per_node: 2001
"""
    (finding,) = findings_for(lb001.RULE, Case("peak", _lb(EFFECTIVE), policy=policy))
    # 2001 rounded up to a multiple of 8; 4 nodes × 2008 fit one IP.
    assert finding.remediation.endswith(
        "--load-balancer-outbound-ports 2008 --load-balancer-managed-outbound-ip-count 1"
    )


def test_own_outbound_ips_get_no_managed_count() -> None:
    profile = {**EFFECTIVE, "outboundIPs": {"publicIPs": [{"id": b.pip_id("lb")}]}}
    (finding,) = findings_for(lb001.RULE, Case("byo", _lb(profile)))
    assert finding.remediation == (
        f"az aks update -g {b.RG} -n aks --load-balancer-outbound-ports 1024 "
        "(give the load balancer at least 1 outbound IPs in all)"
    )
