"""Effective egress of a subnet for a node pool, by Azure's documented precedence.

Highest first (egress-facts.md §1, [NAT-OV], [NAT-TSC], [LB-OUT]):
a 0.0.0.0/0 user-defined route to a virtual appliance or virtual network gateway → the subnet's
NAT gateway → the node's instance-level public IP → load balancer outbound rules → default
outbound access (only if the subnet is not private) → none. A hop we could not read makes the
path unknown: it is never taken as absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.arm import ResourceId
from auditor.enums import LoadBalancerSku, NextHopType, OutboundType
from auditor.graph import defaults
from auditor.graph.nodes import (
    Cluster,
    NatGateway,
    NodePool,
    PublicIpPrefix,
    Route,
    RouteTable,
    Subnet,
)
from auditor.graph.nodes import Unknown as UnknownNode
from auditor.model import Cause, EgressKind, EgressPath, Hop, ResourceKind

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph

BLOCKED_REASON = "outbound type block: NSG rules block internet egress (network-isolated)"
Hops = tuple[Hop, ...]


def resolve(
    graph: EgressGraph, pool: NodePool, subnet: Subnet | UnknownNode, *, include_node_ip: bool
) -> EgressPath:
    """Resolve one subnet's egress. `include_node_ip` is False for pod subnets: an
    instance-level public IP sits on the node's primary IP configuration only."""
    if isinstance(subnet, UnknownNode):
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
            hops=(Hop(subnet.kind, subnet.id),),
            reason=reason,
            unknown_ids=(subnet.id,),
        )
    cluster = graph.cluster_of(pool)
    hops: Hops = (Hop(ResourceKind.SUBNET, subnet.id),)

    if subnet.route_table_id:
        table = graph.get(subnet.route_table_id)
        if not isinstance(table, RouteTable):
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
        routed = _default_route_path(graph, subnet, table, hops)
        if routed is not None:
            return routed

    association = graph.nat_association(subnet)
    if association.is_unknown:
        return EgressPath(
            EgressKind.UNKNOWN,
            subnet.id,
            hops=(*hops, *(Hop(ResourceKind.of(i), i) for i in association.ids[1:])),
            reason=association.conflict,
        )
    if association.nat_id:
        return _nat_path(graph, subnet, hops, association.nat_id)

    if include_node_ip and pool.enable_node_public_ip:
        return _node_public_ip_path(graph, pool, subnet, hops)

    if cluster.outbound is OutboundType.LOAD_BALANCER:
        if cluster.load_balancer_sku is LoadBalancerSku.BASIC:
            return _basic_load_balancer_path(graph, cluster, subnet, hops)
        return _load_balancer_path(graph, cluster, subnet, hops)

    if cluster.outbound is OutboundType.BLOCK:
        # [AKS-OT]: network-isolated by design: NSG rules deny internet-bound traffic, so
        # there is no default outbound access either.
        return EgressPath(
            EgressKind.NONE,
            subnet.id,
            hops=hops,
            reason=BLOCKED_REASON,
            cause=Cause.BLOCKED_BY_NSG,
        )

    if subnet.default_outbound_access is False:
        return EgressPath(
            EgressKind.NONE,
            subnet.id,
            hops=hops,
            reason="private subnet (defaultOutboundAccess=false) with no explicit egress",
            cause=Cause.PRIVATE_SUBNET,
        )
    return EgressPath(
        EgressKind.DEFAULT_OUTBOUND,
        subnet.id,
        hops=hops,
        public_ips=None,
        reason="default outbound access: an implicit Microsoft-owned IP that can change",
    )


def _default_route_path(
    graph: EgressGraph, subnet: Subnet, table: RouteTable, hops: Hops
) -> EgressPath | None:
    routes = table.internet_routes()
    if not routes:
        return None
    hops = (*hops, Hop(ResourceKind.ROUTE_TABLE, table.id))
    first = routes[0]
    if all(_same_hop(first, other) for other in routes[1:]):
        return _one_route_path(graph, subnet, first, hops)
    return _split_route_path(subnet, routes, hops)


def _same_hop(one: Route, other: Route) -> bool:
    return one.next_hop_type is other.next_hop_type and one.next_hop_ip == other.next_hop_ip


def _one_route_path(
    graph: EgressGraph, subnet: Subnet, route: Route, hops: Hops
) -> EgressPath | None:
    hop_type = route.next_hop_type
    if hop_type is NextHopType.VIRTUAL_APPLIANCE and route.next_hop_ip:
        return _appliance_path(graph, subnet, hops, route.next_hop_ip)
    if hop_type is not None and hop_type.overrides_nat:
        appliance = hop_type is NextHopType.VIRTUAL_APPLIANCE
        target = "a virtual appliance" if appliance else "the VNet gateway"
        return EgressPath(
            EgressKind.UDR_APPLIANCE if appliance else EgressKind.UDR_GATEWAY,
            subnet.id,
            hops=hops,
            public_ips=None,
            reason=f"0.0.0.0/0 routes to {target}; the addresses it leaves from are beyond it",
        )
    if hop_type is None:
        # A next hop type Azure added after this release: where the traffic goes is unknown.
        return EgressPath(
            EgressKind.UNKNOWN,
            subnet.id,
            hops=hops,
            reason=(
                f"route {route.name} sends 0.0.0.0/0 to next hop type "
                f"{route.next_hop_type_text or '(none)'}, which egress-audit does not know"
            ),
        )
    if hop_type is NextHopType.NONE:
        return EgressPath(
            EgressKind.BLACKHOLE,
            subnet.id,
            hops=hops,
            reason=f"route {route.name} sends 0.0.0.0/0 to next hop None: traffic is dropped",
        )
    # `Internet` and `VnetLocal` next hops are not documented to override a NAT gateway.
    return None


def _split_route_path(subnet: Subnet, routes: tuple[Route, ...], hops: Hops) -> EgressPath:
    """0.0.0.0/1 and 128.0.0.0/1 to different next hops: each half of the internet leaves its
    own way. When both bypass the NAT gateway, the path is the routed one with addresses
    beyond the next hops; otherwise where traffic leaves depends on the destination."""
    halves = "; ".join(
        f"{r.address_prefix} → {r.next_hop_type_text or 'no next hop type'}"
        + (f" {r.next_hop_ip}" if r.next_hop_ip else "")
        + f" (route {r.name})"
        for r in routes
    )
    if all(r.next_hop_type is not None and r.next_hop_type.overrides_nat for r in routes):
        appliance = next(
            (r for r in routes if r.next_hop_type is NextHopType.VIRTUAL_APPLIANCE), None
        )
        return EgressPath(
            EgressKind.UDR_APPLIANCE if appliance else EgressKind.UDR_GATEWAY,
            subnet.id,
            hops=hops,
            public_ips=None,
            next_hop_ip=None if appliance is None else appliance.next_hop_ip,
            reason=(
                f"internet traffic is split between next hops ({halves}); the addresses it "
                "leaves from are beyond them"
            ),
        )
    return EgressPath(
        EgressKind.UNKNOWN,
        subnet.id,
        hops=hops,
        reason=(
            f"internet traffic is split between next hops ({halves}): which path and "
            "addresses it takes depends on the destination"
        ),
    )


def _appliance_path(graph: EgressGraph, subnet: Subnet, hops: Hops, next_hop_ip: str) -> EgressPath:
    """Follow a 0.0.0.0/0 route to the appliance's own subnet: an appliance (Azure Firewall on
    AzureFirewallSubnet, or an NVA) whose subnet has a NAT gateway leaves from the NAT
    gateway's IPs ([FW-NAT]; NAT precedes instance-level IPs [NAT-OV]). Otherwise the
    addresses are the appliance's own, which the snapshot does not hold."""
    hops = (*hops, Hop(ResourceKind.APPLIANCE, address=next_hop_ip))
    unknown = EgressPath(
        EgressKind.UDR_APPLIANCE,
        subnet.id,
        hops=hops,
        public_ips=None,
        next_hop_ip=next_hop_ip,
        reason=(
            f"0.0.0.0/0 routes to virtual appliance {next_hop_ip}; the addresses it leaves "
            "from are its own, not in the snapshot"
        ),
    )
    appliance_subnet = graph.subnet_reachable(subnet, next_hop_ip)
    if appliance_subnet is None or appliance_subnet.id == subnet.id:
        return unknown
    nat_id = graph.subnet_nat_gateway_id(appliance_subnet)
    nat = graph.get(nat_id)
    if not isinstance(nat, NatGateway):
        return unknown
    address_ids = (*nat.public_ip_ids, *nat.public_ip_prefix_ids)
    cidrs, unread = graph.cidrs(address_ids)
    return EgressPath(
        EgressKind.UDR_APPLIANCE,
        subnet.id,
        hops=(
            *hops,
            Hop(ResourceKind.SUBNET, appliance_subnet.id),
            Hop(ResourceKind.NAT_GATEWAY, nat.id),
            *graph.address_hops(address_ids),
        ),
        public_ips=None if unread else cidrs,
        next_hop_ip=next_hop_ip,
        reason=(
            _unknown_addresses(unread)
            if unread
            else f"the appliance's subnet {appliance_subnet.name} leaves through NAT gateway "
            f"{nat.name}"
        ),
        unknown_ids=unread,
    )


def _nat_path(graph: EgressGraph, subnet: Subnet, hops: Hops, nat_id: ResourceId) -> EgressPath:
    nat = graph.get(nat_id)
    if not isinstance(nat, NatGateway):
        return EgressPath(
            EgressKind.UNKNOWN,
            subnet.id,
            hops=(*hops, Hop(ResourceKind.NAT_GATEWAY, nat_id)),
            reason=f"NAT gateway {nat_id} is not in the snapshot",
            unknown_ids=(nat_id,),
        )
    address_ids = (*nat.public_ip_ids, *nat.public_ip_prefix_ids)
    cidrs, unknown = graph.cidrs(address_ids)
    if unknown:
        reason = _unknown_addresses(unknown)
    elif not address_ids:
        reason = "the NAT gateway has no public IP or prefix: no internet egress"
    else:
        reason = ""
    return EgressPath(
        EgressKind.NAT_GATEWAY,
        subnet.id,
        hops=(*hops, Hop(ResourceKind.NAT_GATEWAY, nat.id), *graph.address_hops(address_ids)),
        device_id=nat.id,
        public_ips=None if unknown else cidrs,
        idle_timeout_minutes=nat.idle_timeout_minutes or defaults.NAT_IDLE_MINUTES,
        reason=reason,
        unknown_ids=unknown,
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
            reason="" if cidr else _unknown_addresses((prefix_id,)),
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
        reason = _unknown_addresses(unknown) if unknown else ""
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
    without one by default outbound access [LB-OUT]. Which applies depends on the services in
    the cluster, so the addresses are unknown."""
    balancer = graph.aks_load_balancer(cluster)
    return EgressPath(
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


def _unknown_addresses(ids: tuple[ResourceId, ...]) -> str:
    return "public addresses not in the snapshot: " + ", ".join(i.text for i in ids)
