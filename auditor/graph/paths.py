"""Pieces every kind of egress path is built from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.arm import ResourceId
from auditor.graph import defaults
from auditor.graph.nodes import NatGateway, Subnet
from auditor.model import EgressKind, EgressPath, Hop, ResourceKind

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph

Hops = tuple[Hop, ...]


def unknown_addresses(ids: tuple[ResourceId, ...]) -> str:
    return "public addresses not in the snapshot: " + ", ".join(i.text for i in ids)


def nat_path(graph: EgressGraph, subnet: Subnet, hops: Hops, nat_id: ResourceId) -> EgressPath:
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
        reason = unknown_addresses(unknown)
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
