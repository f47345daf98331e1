from __future__ import annotations

from typing import Any

import pytest

from auditor.fixtext import commands
from rules import api001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, network

AKS = b.cluster_id("aks")
FAR = b.subnet_id("far", "nodes", rg="rg-elsewhere")  # not in the snapshot


def _nat(ranges: list[str], *pools: dict[str, Any], **access: Any) -> b.Estate:
    """The shared network: pools in GOOD leave from the NAT gateway's 20.0.0.1."""
    return network(
        b.cluster(
            "aks",
            list(pools) or [b.pool("sys", GOOD)],
            api_server_access_profile={"authorizedIPRanges": ranges, **access},
        )
    )


def _prefix_nat(ranges: list[str]) -> b.Estate:
    nodes = b.subnet_id("pv", "nodes")
    return b.Estate().add(
        b.vnet("pv", [b.subnet("nodes", "pv", "10.9.0.0/16", nat=b.nat_id("pn"))]),
        b.nat("pn", prefixes=(b.prefix_id("px"),), subnets=(nodes,)),
        b.public_ip_prefix("px", "20.0.8.0/28"),
        b.cluster(
            "aks", [b.pool("sys", nodes)], api_server_access_profile={"authorizedIPRanges": ranges}
        ),
    )


def _lb(ranges: list[str]) -> b.Estate:
    return network(
        b.public_ip("lb", "20.0.0.5"),
        b.cluster(
            "aks",
            [b.pool("sys", BARE)],
            outbound_type="loadBalancer",
            load_balancer_profile={"effectiveOutboundIPs": [{"id": b.pip_id("lb")}]},
            api_server_access_profile={"authorizedIPRanges": ranges},
        ),
    )


def _node_ips(prefix: str | None) -> b.Estate:
    """Pool `edge` in a subnet without a NAT gateway, with node public IPs."""
    return network(
        *([b.public_ip_prefix("edge-ips", "20.0.9.0/30")] if prefix else []),
        b.cluster(
            "aks",
            [
                b.pool("sys", GOOD),
                b.pool("edge", BARE, node_public_ip=True, node_public_ip_prefix=prefix),
            ],
            api_server_access_profile={"authorizedIPRanges": ["20.0.0.0/24", "20.0.9.0/30"]},
        ),
    )


EDGE = b.pool_id("aks", "edge")

CASES = [
    Case("the NAT IP is outside the ranges", _nat(["203.0.113.0/24"]), fails={AKS}),
    Case(
        "node public IPs from no prefix: no range can cover them",
        _node_ips(None),
        fails={EDGE},
        passes={AKS},
    ),
    Case(
        "node public IPs from a prefix inside the ranges",
        _node_ips(b.prefix_id("edge-ips")),
        passes={AKS, EDGE},
    ),
    Case("a range covers it", _nat(["203.0.113.0/24", "20.0.0.0/24"]), passes={AKS}),
    Case("a bare address covers it", _nat(["20.0.0.1"]), passes={AKS}),
    Case("no ranges: nothing is restricted", _nat([]), passes={AKS}),
    Case(
        "a private cluster does not use the ranges",
        _nat(["203.0.113.0/24"], enablePrivateCluster=True),
        passes={AKS},
    ),
    Case(
        "API server VNet integration keeps node traffic private",
        _nat(["203.0.113.0/24"], enableVnetIntegration=True),
        passes={AKS},
    ),
    Case(
        "an unread subnet has unknown egress: not judged",
        _nat(["203.0.113.0/24"], b.pool("sys", FAR)),
        passes={AKS},
    ),
    Case(
        "default outbound access has unknown addresses: not judged",
        _nat(["203.0.113.0/24"], b.pool("sys", BARE)),
        passes={AKS},
    ),
    Case(
        "a /29 does not cover the NAT's /28 prefix",
        _prefix_nat(["20.0.8.0/29"]),
        fails={AKS},
    ),
    Case("a /27 does", _prefix_nat(["20.0.8.0/27"]), passes={AKS}),
    Case(
        "an unread pod subnet is not judged",
        _nat(["20.0.0.1/32"], b.pool("sys", GOOD, pod_subnet=BARE.replace("bare", "pods"))),
        passes={AKS},
    ),
    Case(
        "the load balancer's IP outside the ranges",
        _lb(["203.0.113.0/24"]),
        fails={AKS},
    ),
    Case(
        "0.0.0.0/32 allows the load balancer's outbound IPs",
        _lb(["0.0.0.0/32", "203.0.113.0/24"]),
        passes={AKS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(api001.RULE, case)


def test_message_names_the_uncovered_ip_and_pools() -> None:
    estate = _nat(["203.0.113.0/24"], b.pool("sys", GOOD), b.pool("user", GOOD, mode="User"))
    (finding,) = findings_for(api001.RULE, Case("two pools", estate))
    assert finding.message == (
        "Cluster aks allows its API server only from 203.0.113.0/24, but its node pools egress "
        "from 20.0.0.1/32 outside those ranges: 20.0.0.1/32 from sys (nodes), user (nodes)."
    )
    assert finding.remediation == (
        f"az aks update -g {b.RG} -n aks "
        "--api-server-authorized-ip-ranges 203.0.113.0/24,20.0.0.1/32"
    )
    assert finding.details == {"uncoveredEgress": "20.0.0.1/32"}


def test_pod_subnet_egress_is_checked() -> None:
    # Pods in a pod subnet with its own NAT gateway (20.0.0.9) leave from another IP.
    pods = b.subnet_id("pods", "pods")
    estate = network(
        b.vnet("pods", [b.subnet("pods", "pods", "10.8.0.0/16", nat=b.nat_id("podnat"))]),
        b.nat("podnat", ips=(b.pip_id("podip"),), subnets=(pods,)),
        b.public_ip("podip", "20.0.0.9"),
        b.cluster(
            "aks",
            [b.pool("sys", GOOD, pod_subnet=pods)],
            api_server_access_profile={"authorizedIPRanges": ["20.0.0.1/32"]},
        ),
    )
    (finding,) = run_case(api001.RULE, Case("pods", estate, fails={AKS}))
    assert finding.details == {"uncoveredEgress": "20.0.0.9/32"}
    assert "20.0.0.9/32 from sys (pods)" in finding.message


def test_node_public_ips_from_no_prefix_have_their_own_wording() -> None:
    (finding,) = findings_for(api001.RULE, CASES[1])
    assert finding.key == "node-public-ips"
    assert "from no public IP prefix" in finding.message
    prefix = b.prefix_id("edge-node-ips")
    assert commands(finding.remediation) == [
        f"az network public-ip prefix create -g {b.RG} -n edge-node-ips -l westeurope "
        "--length 30",  # 3 nodes and 1 surge node
        f"az aks update -g {b.RG} -n aks "
        "--api-server-authorized-ip-ranges 20.0.0.0/24,20.0.9.0/30,<prefix CIDR>",
        f"az aks nodepool add -g {b.RG} --cluster-name aks -n <new pool> --enable-node-public-ip "
        f"--node-public-ip-prefix-id {prefix}",
        f"az aks nodepool delete -g {b.RG} --cluster-name aks -n edge",
    ]
