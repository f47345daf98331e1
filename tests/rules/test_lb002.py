from __future__ import annotations

from typing import Any

import pytest

from auditor.errors import InputError
from auditor.fixtext import commands
from auditor.model import Severity
from auditor.policy import parse
from rules import lb002
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network

AKS = b.cluster_id("aks")
OWN_IP = "an outbound IP of its own, too few"


def _lb(
    pools: list[dict[str, Any]],
    *,
    ports: int = 4000,
    ips: tuple[str, ...] = (b.pip_id("lb"),),
    prefixes: tuple[str, ...] = (),
    **extra: Any,
) -> b.Estate:
    profile: dict[str, Any] = {
        "effectiveOutboundIPs": [{"id": i} for i in ips],
        "allocatedOutboundPorts": ports,
    }
    if prefixes:
        profile["outboundIPPrefixes"] = {"publicIPPrefixes": [{"id": p} for p in prefixes]}
    return network(
        b.public_ip("lb", "20.0.0.5"),
        b.public_ip("lb2", "20.0.0.6"),
        b.public_ip_prefix("px", "20.0.1.0/30"),
        b.cluster(
            "aks", pools, outbound_type="loadBalancer", load_balancer_profile=profile, **extra
        ),
    )


def _own_ip(pools: list[dict[str, Any]]) -> b.Estate:
    """The load balancer with an outbound IP of the cluster's own (outboundIPs)."""
    estate = _lb(pools)
    cluster = next(r for r in estate.rows if r["name"] == "aks")
    cluster["properties"]["networkProfile"]["loadBalancerProfile"]["outboundIPs"] = {
        "publicIPs": [{"id": b.pip_id("lb")}]
    }
    return estate


def _fixed(count: int, **extra: Any) -> dict[str, Any]:
    return b.pool("sys", BARE, count=count, **extra)


def _auto(maximum: int, surge: str | None = None, **extra: Any) -> dict[str, Any]:
    settings = {"upgradeSettings": {"maxSurge": surge}} if surge is not None else {}
    return b.pool(
        "user",
        BARE,
        mode="User",
        count=3,
        enableAutoScaling=True,
        minCount=1,
        maxCount=maximum,
        **settings,
        **extra,
    )


CASES = [
    # 64,000 / 4,000 = 16 nodes per IP, including the one default surge node.
    Case("15 nodes + 1 surge fill one IP exactly", _lb([_fixed(15)]), passes={AKS}),
    Case(
        "16 nodes + 1 surge overflow it",
        _lb([_fixed(16)]),
        fails={AKS},
        severities={AKS: Severity.HIGH},
    ),
    Case("the autoscaler maximum counts, not the count", _lb([_auto(16)]), fails={AKS}),
    Case("a percentage surge rounds up: 8 % of 15 is 2", _lb([_auto(15, "8%")]), fails={AKS}),
    Case("... and 1 % of 16 is 1", _lb([_auto(16, "1%")]), fails={AKS}),
    Case("7 % of 14 is 1: 15 nodes fit", _lb([_auto(14, "7%")]), passes={AKS}),
    Case("a surge of 0 nodes", _lb([_auto(16, "0")]), passes={AKS}),
    Case("surges add up over pools", _lb([_fixed(6), _auto(8, "1")]), passes={AKS}),
    Case("... and overflow together", _lb([_fixed(7), _auto(8, "1")]), fails={AKS}),
    Case(
        "two outbound IPs double the capacity",
        _lb([_fixed(31)], ips=(b.pip_id("lb"), b.pip_id("lb2"))),
        passes={AKS},
    ),
    Case(
        "a /30 outbound prefix gives four IPs",
        _lb([_fixed(63)], ips=(), prefixes=(b.prefix_id("px"),)),
        passes={AKS},
    ),
    Case(
        "... and no more",
        _lb([_fixed(64)], ips=(), prefixes=(b.prefix_id("px"),)),
        fails={AKS},
    ),
    Case(
        "an unread prefix has an unknown size: not judged",
        _lb([_fixed(500)], ips=(), prefixes=(b.prefix_id("elsewhere", rg="rg-x"),)),
        passes={AKS},
    ),
    Case(
        "an unread public IP is still one address",
        _lb([_fixed(16)], ips=(b.pip_id("unread", rg="rg-x"),)),
        fails={AKS},
    ),
    Case(OWN_IP, _own_ip([_fixed(40)]), fails={AKS}),
    Case("the default allocation is LB001's", _lb([_fixed(500)], ports=0), passes={AKS}),
    Case(
        "a stopped cluster is not judged",
        _lb([_fixed(40)], power_state="Stopped"),
        passes={AKS},
    ),
    Case(
        "a stopped pool holds no nodes",
        _lb([_fixed(3), _auto(40, powerState={"code": "Stopped"})]),
        passes={AKS},
    ),
    Case(
        "a NAT gateway cluster does not use load balancer SNAT",
        network(
            b.cluster(
                "aks",
                [b.pool("sys", GOOD, count=100)],
                load_balancer_profile={"allocatedOutboundPorts": 4000},
            )
        ),
        passes={AKS},
    ),
    Case(
        "the policy can raise the ports per IP",
        _lb([_fixed(16)]),
        passes={AKS},
        policy="rules:\n  LB002: {ports_per_ip: 68000}\n",
    ),
    Case(
        "or assume no default surge, per cluster",
        _lb([_fixed(16)]),
        passes={AKS},
        policy=(
            "clusters:\n  - match: {id: '*/aks'}\n    rules:\n"
            "      LB002: {default_surge_nodes: 0}\n"
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(lb002.RULE, case)


def test_message_and_remediation_state_the_numbers() -> None:
    (finding,) = findings_for(lb002.RULE, CASES[1])
    assert finding.message == (
        "Cluster aks needs 68,000 SNAT ports (4,000 per node × 16 nodes + 1 surge), "
        "but its one outbound IP provides 64,000."
    )
    assert finding.remediation == (
        "This changes the egress addresses of cluster aks: its outbound IPs go from 1 to 2. "
        f"`az aks update -g {b.RG} -n aks --load-balancer-managed-outbound-ip-count 2`"
    )
    assert finding.details == {
        "allocatedOutboundPorts": "4000",
        "maximumNodes": "16",
        "surgeNodes": "1",
        "outboundIps": "1",
    }


def test_beyond_100_managed_ips_the_fix_lowers_the_ports() -> None:
    # 1,000 nodes + 1 surge × 64,000 ports needs 1,001 IPs; 100 IPs fit 6,392 ports per node.
    case = Case("huge", _lb([_fixed(1000)], ports=64000), fails={AKS})
    (finding,) = run_case(lb002.RULE, case)
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n aks --load-balancer-managed-outbound-ip-count 100 "
        "--load-balancer-outbound-ports 6392"
    ]
    assert "its outbound IPs go from 1 to 100" in finding.remediation
    assert finding.remediation.endswith("(or move egress to a NAT gateway)")


def test_a_wrong_parameter_type_is_an_input_error() -> None:
    policy = parse("rules:\n  LB002:\n    ports_per_ip: lots\n", "egress-audit.yaml")
    with pytest.raises(InputError) as error:
        policy.check_rules({"LB002": lb002.Config})
    assert str(error.value) == (
        "egress-audit.yaml:3: rules.LB002.ports_per_ip: expected an integer"
    )


def test_own_addresses_are_kept_when_more_are_added() -> None:
    """--load-balancer-outbound-ips and --load-balancer-outbound-ip-prefixes replace the list:
    the fix gives the addresses the cluster has again, then the new ones."""
    prefixes = next(c for c in CASES if c.name == "... and no more")
    (finding,) = findings_for(lb002.RULE, prefixes)
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n aks --load-balancer-outbound-ip-prefixes "
        f"{b.prefix_id('px')},<new public IP prefix IDs>"
    ]
    assert "a new Standard public IP prefix for at least 1 more address" in finding.remediation
    (finding,) = findings_for(lb002.RULE, next(c for c in CASES if c.name == OWN_IP))
    assert commands(finding.remediation) == [
        f"az aks update -g {b.RG} -n aks --load-balancer-outbound-ips "
        f"{b.pip_id('lb')},<new public IP IDs>"
    ]
    assert "Create 2 new Standard public IPs, then give the load balancer 3" in finding.remediation
