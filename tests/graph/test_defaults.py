"""Every field the graph reads with a documented default, read from a row without it."""

from __future__ import annotations

from typing import Any

from auditor.enums import LoadBalancerSku, OsType, OutboundType
from auditor.graph.nodes import Cluster, NodePool
from auditor.model import EgressKind
from rules import egr007, lb001, lb003, win001
from tests import estate_builder as b
from tests.rules.cases import findings_for_rules

NODES = b.subnet_id("vnet", "nodes")
LB_PIP = b.pip_id("pip-lb", rg="MC_rg")


def _estate(outbound_type: str = "loadBalancer") -> b.Estate:
    row = b.cluster(
        "aks",
        [b.pool("np", NODES)],
        outbound_type=outbound_type,
        load_balancer_profile={"effectiveOutboundIPs": [{"id": LB_PIP}]},
    )
    return b.Estate().add(
        b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16")]),
        b.public_ip("pip-lb", "20.0.0.2", rg="MC_rg"),
        row,
    )


def _without(estate: b.Estate, *path: str) -> b.Estate:
    """The estate with one field of the cluster row (a path under `properties`) removed."""
    row = next(r for r in estate.rows if r["type"].endswith("managedclusters"))
    node: Any = row["properties"]
    for key in path[:-1]:
        node = node[key][0] if isinstance(node[key], list) else node[key]
    del node[path[-1]]
    return estate


def _cluster_and_pool(estate: b.Estate) -> tuple[Cluster, NodePool]:
    ((cluster, pool),) = list(estate.graph().node_pools())
    return cluster, pool


def test_an_absent_outbound_type_is_load_balancer() -> None:
    estate = _without(_estate(), "networkProfile", "outboundType")
    cluster, pool = _cluster_and_pool(estate)
    assert cluster.outbound is OutboundType.LOAD_BALANCER
    assert cluster.outbound_type == "loadBalancer"
    path = estate.graph().egress(pool)
    assert path.kind is EgressKind.LOAD_BALANCER
    assert path.public_ips == ("20.0.0.2/32",)
    # The load balancer rules judge it; it is not default outbound access.
    rules = {f.rule_id for f in findings_for_rules((lb001.RULE, egr007.RULE), estate)}
    assert rules == {"LB001"}


def test_an_absent_load_balancer_sku_is_standard() -> None:
    estate = _without(_estate(), "networkProfile", "loadBalancerSku")
    cluster, _ = _cluster_and_pool(estate)
    assert cluster.load_balancer_sku is LoadBalancerSku.STANDARD
    assert findings_for_rules((lb003.RULE,), estate) == []


def test_an_absent_os_type_is_linux() -> None:
    estate = _without(_estate(), "agentPoolProfiles", "osType")
    _, pool = _cluster_and_pool(estate)
    assert pool.os_type is OsType.LINUX
    assert findings_for_rules((win001.RULE,), estate) == []


def test_absent_node_public_ip_and_autoscaling_flags_are_off() -> None:
    estate = _without(_estate(), "agentPoolProfiles", "enableNodePublicIP")
    _, pool = _cluster_and_pool(estate)
    assert pool.enable_node_public_ip is False
    assert pool.auto_scaling is False
    assert estate.graph().egress(pool).kind is EgressKind.LOAD_BALANCER


def test_an_absent_load_balancer_idle_timeout_is_aks_30_minutes() -> None:
    _, pool = _cluster_and_pool(estate := _estate())
    assert estate.graph().egress(pool).idle_timeout_minutes == 30


def test_an_absent_nat_idle_timeout_is_4_minutes() -> None:
    nat = b.nat_id("ng")
    estate = b.Estate().add(
        b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16", nat=nat)]),
        b.nat("ng", ips=(b.pip_id("pip"),), idle=None),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("np", NODES)]),
    )
    _, pool = _cluster_and_pool(estate)
    assert estate.graph().egress(pool).idle_timeout_minutes == 4


def test_an_absent_default_outbound_access_is_not_private() -> None:
    estate = _estate(outbound_type="userDefinedRouting")
    _, pool = _cluster_and_pool(estate)
    path = estate.graph().egress(pool)
    assert path.kind is EgressKind.DEFAULT_OUTBOUND


def test_an_absent_network_plugin_stays_unknown() -> None:
    estate = _without(_estate(), "networkProfile", "networkPlugin")
    cluster, _ = _cluster_and_pool(estate)
    assert cluster.plugin is None
    assert cluster.network_plugin is None
