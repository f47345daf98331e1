"""Effective egress of a subnet for a node pool, by Azure's documented precedence.

Highest first (egress-facts.md §1, [NAT-OV], [NAT-TSC], [LB-OUT], [UDR]):
a network-isolated cluster's NSG block → a user-defined 0.0.0.0/0 route (to a firewall, an
appliance or the VNet gateway, see `routed`) → a default route that BGP may bring from
on-premises (unknown, see `bgp`) → the subnet's NAT gateway → the node's instance-level public
IP → load balancer outbound rules → default outbound access (only if the subnet is not
private) → none. Where a load-balancing rule of the cluster's public load balancer SNATs for
the nodes, its frontend addresses are ones the traffic may leave from too. A hop we could not
read makes the path unknown: it is never taken as absent.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from auditor.enums import LoadBalancerSku, OutboundType
from auditor.graph import defaults
from auditor.graph.nodes import Cluster, NodePool, PublicIpPrefix, RouteTable, Subnet
from auditor.graph.nodes import Unknown as UnknownNode
from auditor.graph.paths import Hops, nat_path, unknown_addresses
from auditor.graph.routed import route_table_path
from auditor.model import Cause, EgressKind, EgressPath, Hop, ResourceKind

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph

BLOCKED_REASON = "outbound type block: NSG rules block internet egress (network-isolated)"


def resolve(
    graph: EgressGraph,
    cluster: Cluster,
    subnet: Subnet | UnknownNode,
    *,
    node_ip_pool: NodePool | None,
    cluster_balancer: bool = True,
) -> EgressPath:
    """Resolve one subnet's egress for a cluster's nodes or pods. `node_ip_pool` is the pool
    whose nodes' instance-level public IPs count; None for pod subnets and virtual nodes (an
    instance-level public IP sits on a node's primary IP configuration only).
    `cluster_balancer` is False for virtual nodes: container groups in their subnet are in
    none of the cluster's load balancer pools, so its outbound and load-balancing rules do not
    apply to them."""
    if isinstance(subnet, UnknownNode):
        return _unknown_subnet_path(subnet)
    hops: Hops = (Hop(ResourceKind.SUBNET, subnet.id),)

    if cluster.outbound is OutboundType.BLOCK:
        # [AKS-OT]: network-isolated by design: NSG rules deny internet-bound traffic whatever
        # else the subnet has (EGR012 reports a NAT gateway or public IPs left there).
        return EgressPath(
            EgressKind.NONE, subnet.id, hops=hops, reason=BLOCKED_REASON, cause=Cause.BLOCKED_BY_NSG
        )

    table: RouteTable | None = None
    if subnet.route_table_id:
        found = graph.get(subnet.route_table_id)
        if not isinstance(found, RouteTable):
            return EgressPath(
                EgressKind.UNKNOWN,
                subnet.id,
                hops=(*hops, Hop(ResourceKind.ROUTE_TABLE, subnet.route_table_id)),
                reason=(
                    f"route table {subnet.route_table_id} is not in the snapshot; "
                    "a 0.0.0.0/0 route there would decide egress"
                ),
                unknown_ids=(subnet.route_table_id,),
            )
        table = found
        routed = route_table_path(graph, subnet, table, hops)
        if routed is not None:
            return routed

    tunnelled = _bgp_path(graph, subnet, table, hops)
    if tunnelled is not None:
        return tunnelled

    association = graph.nat_association(subnet)
    if association.is_unknown:
        return EgressPath(
            EgressKind.UNKNOWN,
            subnet.id,
            hops=(*hops, *(Hop(ResourceKind.of(i), i) for i in association.ids[1:])),
            reason=association.conflict,
        )
    if association.nat_id:
        return nat_path(graph, subnet, hops, association.nat_id)

    if node_ip_pool is not None and node_ip_pool.enable_node_public_ip:
        return _node_public_ip_path(graph, node_ip_pool, subnet, hops)

    if cluster_balancer and cluster.outbound is OutboundType.LOAD_BALANCER:
        if cluster.load_balancer_sku is LoadBalancerSku.BASIC:
            return _basic_load_balancer_path(graph, cluster, subnet, hops)
        return _with_rule_snat(graph, cluster, _load_balancer_path(graph, cluster, subnet, hops))

    if subnet.default_outbound_access is False:
        return EgressPath(
            EgressKind.NONE,
            subnet.id,
            hops=hops,
            reason="private subnet (defaultOutboundAccess=false) with no explicit egress",
            cause=Cause.PRIVATE_SUBNET,
        )
    if cluster_balancer and (snat := graph.snat_frontends(cluster)).address_ids:
        return EgressPath(
            EgressKind.LOAD_BALANCING_RULES,
            subnet.id,
            hops=(*hops, *graph.address_hops(snat.address_ids)),
            device_id=snat.balancer_id,
            public_ips=None if snat.unknown_ids else (),
            may_leave_from=snat.cidrs,
            reason=(
                f"no explicit egress method, but load-balancing rules {snat.rules_text} "
                "SNAT for the nodes: their frontends take the place of default outbound access"
            ),
            unknown_ids=snat.unknown_ids,
        )
    return EgressPath(
        EgressKind.DEFAULT_OUTBOUND,
        subnet.id,
        hops=hops,
        public_ips=None,
        reason="default outbound access: an implicit Microsoft-owned IP that can change",
    )


def _unknown_subnet_path(subnet: UnknownNode) -> EgressPath:
    if subnet.kind is ResourceKind.MANAGED_VIRTUAL_NETWORK:
        reason = (
            f"the AKS-managed virtual network of node resource group {subnet.id} "
            "is not in the snapshot (or is ambiguous)"
        )
    else:
        reason = f"subnet {subnet.id} is not in the snapshot"
    return EgressPath(
        EgressKind.UNKNOWN,
        None,
        public_ips=None,
        hops=(Hop(subnet.kind, subnet.id),),
        reason=reason,
        unknown_ids=(subnet.id,),
    )


def _bgp_path(
    graph: EgressGraph, subnet: Subnet, table: RouteTable | None, hops: Hops
) -> EgressPath | None:
    """Unknown when routes learned over BGP reach the subnet from a gateway that may learn a
    default route; None when none can (see auditor.graph.bgp)."""
    sources = graph.bgp_sources(subnet, table)
    if not sources:
        return None
    described = "; ".join(source.describe() for source in sources)
    gateways = tuple(s.gateway.id for s in sources if s.gateway is not None)
    unread = tuple(s.vnet_id for s in sources if s.gateway is None)
    propagation = (
        "it has no route table"
        if table is None
        else f"route table {table.name} propagates gateway routes"
    )
    return EgressPath(
        EgressKind.UNKNOWN,
        subnet.id,
        hops=(
            *hops,
            *((Hop(ResourceKind.ROUTE_TABLE, table.id),) if table is not None else ()),
            *(Hop(ResourceKind.VIRTUAL_NETWORK_GATEWAY, g) for g in gateways),
        ),
        public_ips=None,
        reason=(
            f"routes learned over BGP reach this subnet ({propagation}) from {described}: a "
            "0.0.0.0/0 advertised from on-premises (forced tunnelling) would take the traffic "
            "there instead, and Resource Graph does not show learned routes"
        ),
        unknown_ids=unread,
        cause=Cause.FORCED_TUNNELLING,
    )


def _node_public_ip_path(
    graph: EgressGraph, pool: NodePool, subnet: Subnet, hops: Hops
) -> EgressPath:
    prefix_id = pool.node_public_ip_prefix_id
    if prefix_id:
        prefix = graph.get(prefix_id)
        cidr = prefix.ip_prefix if isinstance(prefix, PublicIpPrefix) else None
        return EgressPath(
            EgressKind.NODE_PUBLIC_IP,
            subnet.id,
            hops=(*hops, Hop(ResourceKind.PUBLIC_IP_PREFIX, prefix_id)),
            device_id=prefix_id,
            public_ips=(cidr,) if cidr else None,
            idle_timeout_minutes=defaults.NODE_PUBLIC_IP_IDLE_MINUTES,
            reason="" if cidr else unknown_addresses((prefix_id,)),
            unknown_ids=() if cidr else (prefix_id,),
        )
    return EgressPath(
        EgressKind.NODE_PUBLIC_IP,
        subnet.id,
        hops=hops,
        public_ips=None,
        idle_timeout_minutes=defaults.NODE_PUBLIC_IP_IDLE_MINUTES,
        reason="each node has its own public IP from no prefix: the addresses are not predictable",
    )


def _load_balancer_path(
    graph: EgressGraph, cluster: Cluster, subnet: Subnet, hops: Hops
) -> EgressPath:
    outbound = graph.load_balancer_outbound(cluster)
    ids = outbound.address_ids
    cidrs, unknown = graph.cidrs(ids)
    if not ids:
        reason = (
            "neither the cluster's load balancer profile nor its load balancer lists outbound IPs"
        )
    else:
        reason = unknown_addresses(unknown) if unknown else ""
    return EgressPath(
        EgressKind.LOAD_BALANCER,
        subnet.id,
        hops=(*hops, *graph.address_hops(ids)),
        device_id=outbound.device_id,
        public_ips=cidrs if ids and not unknown else None,
        idle_timeout_minutes=outbound.idle_timeout_minutes or defaults.AKS_LB_IDLE_MINUTES,
        reason=reason,
        unknown_ids=unknown,
    )


def _basic_load_balancer_path(
    graph: EgressGraph, cluster: Cluster, subnet: Subnet, hops: Hops
) -> EgressPath:
    """A Basic load balancer has no outbound rules [AKS-BLB]: nodes leave from the frontend
    IP of a load-balancing rule that serves them (implicit SNAT, "not for production"), and
    without one by default outbound access [LB-OUT]."""
    balancer = graph.aks_load_balancer(cluster)
    snat = graph.snat_frontends(cluster)
    path = EgressPath(
        EgressKind.BASIC_LOAD_BALANCER,
        subnet.id,
        hops=(*hops, *((Hop(ResourceKind.LOAD_BALANCER, balancer.id),) if balancer else ())),
        device_id=None if balancer is None else balancer.id,
        public_ips=None,
        reason=(
            "a Basic load balancer has no outbound rules: nodes leave from the frontend IP of "
            "a load-balancing rule (implicit SNAT), or by default outbound access without one"
        ),
    )
    if not snat.address_ids or snat.unknown_ids:
        return dataclasses.replace(path, unknown_ids=snat.unknown_ids)
    return dataclasses.replace(
        path,
        hops=(*path.hops, *graph.address_hops(snat.address_ids)),
        public_ips=(),
        may_leave_from=snat.cidrs,
        reason=(
            "a Basic load balancer has no outbound rules: nodes leave from the frontend IPs "
            f"of its load-balancing rules {snat.rules_text} (implicit SNAT)"
        ),
    )


def _with_rule_snat(graph: EgressGraph, cluster: Cluster, path: EgressPath) -> EgressPath:
    """Add the frontends of load-balancing rules that SNAT for the nodes ([LB-OUT]: a rule
    without disableOutboundSnat lets its backend use the frontend IP for outbound)."""
    snat = graph.snat_frontends(cluster)
    if not snat.address_ids:
        return path
    extra = [c for c in snat.cidrs if path.public_ips is None or c not in path.public_ips]
    note = (
        f"load-balancing rules {snat.rules_text} SNAT for the nodes without "
        "disableOutboundSnat: traffic may also leave from their frontends"
    )
    return dataclasses.replace(
        path,
        hops=(*path.hops, *graph.address_hops(snat.address_ids)),
        may_leave_from=tuple(extra),
        reason="; ".join(r for r in (path.reason, note) if r),
        unknown_ids=(*path.unknown_ids, *snat.unknown_ids),
    )
