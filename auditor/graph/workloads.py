"""Egress of traffic that does not leave by its node pools' paths: virtual nodes (the ACI
connector) in their own subnet, and pods annotated for a static egress gateway pool."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from auditor.arm import ResourceId
from auditor.graph import egress
from auditor.graph.nodes import Cluster, NodePool, Subnet, Unknown, VirtualNetwork
from auditor.graph.paths import unknown_addresses
from auditor.model import EgressKind, EgressPath, Hop, ResourceKind

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph


def virtual_node_subnet(graph: EgressGraph, cluster: Cluster) -> Subnet | Unknown | None:
    """The subnet of the cluster's virtual nodes (ACI connector), found by name in the
    virtual network of its node subnets [AKS-VN]; None without virtual nodes, or when
    neither the add-on nor the node pools say where it is (virtual_node_egress says why)."""
    name = cluster.virtual_node_subnet_name
    if not cluster.virtual_nodes or not name:
        return None
    subnets = [graph.node_subnet(pool) for pool in graph.pools(cluster)]
    vnet_id = next((s.vnet_id for s in subnets if isinstance(s, Subnet)), None)
    if vnet_id is None:
        vnet_id = next(
            (p.vnet_subnet_id.parent_id() for p in graph.pools(cluster) if p.vnet_subnet_id),
            None,
        )
    if vnet_id is None:
        unread = next((s for s in subnets if isinstance(s, Unknown)), None)
        return unread
    subnet_id = vnet_id.child("subnets", name)
    found = graph.get(subnet_id)
    if isinstance(found, Subnet):
        return found
    vnet = graph.get(vnet_id)
    if isinstance(vnet, VirtualNetwork):
        match = [
            s
            for s in (graph.get(i) for i in vnet.subnet_ids)
            if isinstance(s, Subnet) and s.name.lower() == name.lower()
        ]
        if match:
            return match[0]
    return Unknown(subnet_id, ResourceKind.SUBNET)


def virtual_node_egress(graph: EgressGraph, cluster: Cluster) -> EgressPath | None:
    """Egress of the cluster's virtual nodes: their subnet's own NAT gateway, route or
    default outbound access (not the cluster's load balancer); None without them."""
    if not cluster.virtual_nodes:
        return None
    subnet = virtual_node_subnet(graph, cluster)
    if subnet is None:
        return EgressPath(
            EgressKind.UNKNOWN,
            None,
            hops=(Hop(ResourceKind.CLUSTER, cluster.id),),
            reason=(
                "the ACI connector add-on is on but names no subnet (config.SubnetName)"
                if not cluster.virtual_node_subnet_name
                else f"virtual-node subnet {cluster.virtual_node_subnet_name}: no node pool "
                "names the virtual network it is in"
            ),
        )
    return egress.resolve(graph, cluster, subnet, node_ip_pool=None, cluster_balancer=False)


def gateway_egress(
    graph: EgressGraph, pool: NodePool, *, prefix_id: ResourceId | None = None, public: bool = True
) -> EgressPath:
    """Where pods annotated for a static egress gateway pool leave: from the public IP
    prefix a StaticGatewayConfiguration names (`prefix_id`), else from one AKS creates
    for it [AKS-SEG], which only the configuration's status inside the cluster shows."""
    subnet = graph.node_subnet(pool)
    size = pool.gateway_prefix_length
    path = EgressPath(
        EgressKind.STATIC_EGRESS_GATEWAY,
        subnet.id if isinstance(subnet, Subnet) else None,
        hops=(Hop(ResourceKind.NODE_POOL, pool.id),),
        device_id=pool.id,
        public_ips=None,
        reason=(
            f"annotated pods leave from a /{size} public IP prefix AKS creates for the "
            f"configuration on gateway pool {pool.name}; only the configuration's status "
            "inside the cluster shows which"
        ),
    )
    if not public:
        return dataclasses.replace(
            path,
            reason=(
                "provisionPublicIps false: annotated pods leave from static private IPs of "
                f"gateway pool {pool.name}, and reach the internet only beyond them"
            ),
        )
    if prefix_id is None:
        return path
    hops = (*path.hops, Hop(ResourceKind.PUBLIC_IP_PREFIX, prefix_id))
    cidrs, unread = graph.cidrs((prefix_id,))
    if unread:
        return dataclasses.replace(
            path, hops=hops, reason=unknown_addresses(unread), unknown_ids=unread
        )
    return dataclasses.replace(path, hops=hops, public_ips=cidrs, reason="")
