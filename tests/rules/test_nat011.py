from __future__ import annotations

from typing import Any

import pytest

from auditor.model import Severity
from rules import nat011
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import managed_nat_cluster

MNG = b.cluster_id("mng")


def _managed(nodes: int, profile: dict[str, Any] | None, ips: int = 1) -> b.Estate:
    """A fixed 10-node system pool plus a user pool that scales to `nodes - 10`."""
    pools = [
        b.pool("sys", count=10),
        b.pool("apps", mode="User", count=1, **b.autoscale(1, nodes - 10)),
    ]
    return b.Estate().add(*managed_nat_cluster("mng", pools, profile=profile, ips=ips))


ONE = {"managedOutboundIPProfile": {"count": 1}}
CASES = [
    Case("99 nodes is not large", _managed(99, ONE), passes={MNG}),
    Case(
        "100 nodes on one IP",
        _managed(100, ONE),
        fails={MNG},
        severities={MNG: Severity.LOW},
    ),
    Case("101 nodes on one IP", _managed(101, ONE), fails={MNG}),
    Case("an unset count is the default 1", _managed(150, {}), fails={MNG}),
    Case("no profile at all is the default 1", _managed(150, None), fails={MNG}),
    Case(
        "two managed IPs",
        _managed(150, {"managedOutboundIPProfile": {"count": 2}}, ips=2),
        passes={MNG},
    ),
    Case(
        "two effective IPs count",
        _managed(
            150,
            {
                "effectiveOutboundIPs": b.refs(
                    b.pip_id("a", rg="MC_rg-test_mng_westeurope"),
                    b.pip_id("b", rg="MC_rg-test_mng_westeurope"),
                )
            },
        ),
        passes={MNG},
    ),
    Case(
        "the policy sets what is large",
        _managed(60, ONE),
        fails={MNG},
        policy="rules:\n  NAT011: {large_cluster_nodes: 50}\n",
    ),
    Case(
        "a user-assigned NAT gateway is not managed",
        b.Estate().add(b.cluster("usr", [b.pool("sys", b.subnet_id("v", "s"), count=500)])),
        passes={b.cluster_id("usr")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat011.RULE, case)


def test_fix_raises_the_managed_count() -> None:
    (finding,) = findings_for(nat011.RULE, CASES[1])
    assert finding.remediation == (
        "This changes the egress addresses of cluster mng: AKS adds 1 managed public IP to its "
        f"NAT gateway. `az aks update -g {b.RG} -n mng --nat-gateway-managed-outbound-ip-count 2`"
    )
    assert finding.details == {"nodes": "100", "outboundIps": "1"}
