"""Egress decided by the subnet's route table: a user-defined 0.0.0.0/0 (or the pair of /1
routes) to a virtual appliance, an Azure Firewall, the VNet gateway, or nowhere.

A route to an address is followed to what sits there: an Azure Firewall (its public IPs, or
the NAT gateway of its AzureFirewallSubnet, which takes over the firewall's egress [FW-NAT]),
or another appliance whose subnet has a NAT gateway. An appliance the snapshot cannot name
leaves from addresses beyond it, which are unknown.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import TYPE_CHECKING

from auditor.enums import NextHopType
from auditor.graph.nodes import Firewall, NatGateway, Route, RouteTable, Subnet
from auditor.graph.paths import Hops, nat_path, unknown_addresses
from auditor.model import EgressKind, EgressPath, Hop, ResourceKind
from auditor.snapshot import AZURE_FIREWALLS

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph


def route_table_path(
    graph: EgressGraph, subnet: Subnet, table: RouteTable, hops: Hops
) -> EgressPath | None:
    """The path a route table decides, or None when it has no route for the internet."""
    routes = table.internet_routes()
    if not routes:
        return None
    hops = (*hops, Hop(ResourceKind.ROUTE_TABLE, table.id))
    first = routes[0]
    if all(_same_hop(first, other) for other in routes[1:]):
        return _one_route_path(graph, subnet, first, hops)
    return _split_route_path(subnet, routes, hops)


def _same_hop(one: Route, other: Route) -> bool:
    """Whether two routes send traffic to the same place: for equal-cost multipath, the same
    set of appliances (halves spread over different sets leave from different addresses)."""
    return (
        one.next_hop_type is other.next_hop_type
        and one.next_hop_ip == other.next_hop_ip
        and set(one.next_hop_ips) == set(other.next_hop_ips)
    )


def _one_route_path(
    graph: EgressGraph, subnet: Subnet, route: Route, hops: Hops
) -> EgressPath | None:
    hop_type = route.next_hop_type
    if hop_type is NextHopType.VIRTUAL_APPLIANCE and route.next_hop_ip:
        return _appliance_path(graph, subnet, hops, route.next_hop_ip)
    if hop_type is NextHopType.VIRTUAL_APPLIANCE_ECMP and route.next_hop_ips:
        return _ecmp_path(graph, subnet, hops, route)
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


_APPLIANCES = (NextHopType.VIRTUAL_APPLIANCE, NextHopType.VIRTUAL_APPLIANCE_ECMP)


def _split_route_path(subnet: Subnet, routes: tuple[Route, ...], hops: Hops) -> EgressPath:
    """0.0.0.0/1 and 128.0.0.0/1 to different next hops: each half of the internet leaves its
    own way. When both bypass the NAT gateway, the path is the routed one with addresses
    beyond the next hops; otherwise where traffic leaves depends on the destination."""
    halves = "; ".join(
        f"{r.address_prefix} → {r.next_hop_type_text or 'no next hop type'}"
        + (f" {r.hop_text}" if r.hop_text else "")
        + f" (route {r.name})"
        for r in routes
    )
    if all(r.next_hop_type is not None and r.next_hop_type.overrides_nat for r in routes):
        appliance = next((r for r in routes if r.next_hop_type in _APPLIANCES), None)
        return EgressPath(
            EgressKind.UDR_APPLIANCE if appliance else EgressKind.UDR_GATEWAY,
            subnet.id,
            hops=hops,
            public_ips=None,
            next_hop_ip=None if appliance is None else appliance.hop_text,
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
    """Follow a 0.0.0.0/0 route to what owns its next hop IP: an Azure Firewall, else an
    appliance whose own subnet has a NAT gateway (its egress then leaves from the NAT
    gateway's IPs: NAT precedes instance-level IPs [NAT-OV]). Otherwise the addresses are
    the appliance's own, which the snapshot does not hold."""
    match = graph.firewall_at(subnet, next_hop_ip)
    if match.firewall is not None:
        return _firewall_path(graph, subnet, hops, match.firewall, next_hop_ip)
    hops = (*hops, Hop(ResourceKind.APPLIANCE, address=next_hop_ip))
    if match.ambiguous:
        names = ", ".join(sorted(f.id.text for f in match.ambiguous))
        return EgressPath(
            EgressKind.UNKNOWN,
            subnet.id,
            hops=hops,
            next_hop_ip=next_hop_ip,
            reason=(
                f"0.0.0.0/0 routes to {next_hop_ip}, the private IP of several Azure Firewalls "
                f"in virtual hubs ({names}): which one the traffic reaches is unknown"
            ),
        )
    unread = "" if graph.collected(AZURE_FIREWALLS) else "; Azure Firewalls were not collected"
    unknown = EgressPath(
        EgressKind.UDR_APPLIANCE,
        subnet.id,
        hops=hops,
        public_ips=None,
        next_hop_ip=next_hop_ip,
        reason=(
            f"0.0.0.0/0 routes to virtual appliance {next_hop_ip}; the addresses it leaves "
            f"from are its own, not in the snapshot{unread}"
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
    cidrs, unread_ids = graph.cidrs(address_ids)
    return EgressPath(
        EgressKind.UDR_APPLIANCE,
        subnet.id,
        hops=(
            *hops,
            Hop(ResourceKind.SUBNET, appliance_subnet.id),
            Hop(ResourceKind.NAT_GATEWAY, nat.id),
            *graph.address_hops(address_ids),
        ),
        public_ips=None if unread_ids else cidrs,
        next_hop_ip=next_hop_ip,
        reason=(
            unknown_addresses(unread_ids)
            if unread_ids
            else f"the appliance's subnet {appliance_subnet.name} leaves through NAT gateway "
            f"{nat.name}"
        ),
        unknown_ids=unread_ids,
    )


def _ecmp_path(graph: EgressGraph, subnet: Subnet, hops: Hops, route: Route) -> EgressPath:
    """Equal-cost multipath: each flow goes to one of the appliances, so the traffic leaves
    from any of their addresses; unknown as soon as one appliance's are."""
    each = [_appliance_path(graph, subnet, hops, ip) for ip in route.next_hop_ips]
    beyond: list[Hop] = []
    for path in each:
        beyond.extend(hop for hop in path.hops[len(hops) :] if hop not in beyond)
    firewalls = all(p.kind is EgressKind.AZURE_FIREWALL for p in each)
    known = all(p.public_ips is not None and not p.is_unknown for p in each)
    unread = tuple(dict.fromkeys(i for p in each for i in p.unknown_ids))
    appliances = ", ".join(route.next_hop_ips)
    return EgressPath(
        EgressKind.AZURE_FIREWALL if firewalls else EgressKind.UDR_APPLIANCE,
        subnet.id,
        hops=(*hops, *beyond),
        device_id=each[0].device_id
        if firewalls and len({p.device_id for p in each}) == 1
        else None,
        public_ips=tuple(sorted({c for p in each for c in p.public_ips or ()})) if known else None,
        next_hop_ip=appliances,
        reason=(
            f"route {route.name} spreads 0.0.0.0/0 across appliances {appliances} (equal-cost "
            "multipath): the traffic leaves from any of their addresses"
            + ("" if known else "; " + "; ".join(p.reason for p in each if p.reason))
        ),
        unknown_ids=unread,
    )


def _firewall_path(
    graph: EgressGraph, subnet: Subnet, hops: Hops, firewall: Firewall, next_hop_ip: str
) -> EgressPath:
    hops = (*hops, Hop(ResourceKind.AZURE_FIREWALL, firewall.id, address=next_hop_ip))
    path = EgressPath(
        EgressKind.AZURE_FIREWALL,
        subnet.id,
        hops=hops,
        device_id=firewall.id,
        public_ips=None,
        next_hop_ip=next_hop_ip,
    )
    if firewall.virtual_hub_id is not None:
        return _hub_firewall_path(path, firewall)
    firewall_subnet = graph.get(firewall.subnet_id)
    if firewall.subnet_id is not None and not isinstance(firewall_subnet, Subnet):
        return dataclasses.replace(
            path,
            reason=(
                f"the firewall's subnet {firewall.subnet_id} is not in the snapshot; a NAT "
                "gateway there would decide its addresses"
            ),
            unknown_ids=(firewall.subnet_id,),
        )
    if isinstance(firewall_subnet, Subnet):
        association = graph.nat_association(firewall_subnet)
        if association.is_unknown:
            return dataclasses.replace(path, reason=association.conflict)
        if association.nat_id is not None:
            via_nat = nat_path(
                graph,
                firewall_subnet,
                (*hops, Hop(ResourceKind.SUBNET, firewall_subnet.id)),
                association.nat_id,
            )
            return dataclasses.replace(
                via_nat,
                kind=EgressKind.AZURE_FIREWALL,
                subnet_id=subnet.id,
                device_id=firewall.id,
                next_hop_ip=next_hop_ip,
                idle_timeout_minutes=None,
                reason=via_nat.reason
                or f"the firewall's subnet leaves through NAT gateway {association.nat_id.name}",
            )
    tunnelled = _forced_tunnel(
        graph, firewall, firewall_subnet if isinstance(firewall_subnet, Subnet) else None
    )
    if tunnelled:
        return dataclasses.replace(path, reason=tunnelled)
    address_ids = firewall.public_ip_ids
    if not address_ids:
        return dataclasses.replace(
            path,
            reason=(
                "the firewall has no public IP on its IP configurations (forced tunnelling "
                "mode): the addresses its traffic leaves from are beyond it"
            ),
        )
    cidrs, unread = graph.cidrs(address_ids)
    return dataclasses.replace(
        path,
        hops=(*hops, *graph.address_hops(address_ids)),
        public_ips=None if unread else cidrs,
        reason=unknown_addresses(unread) if unread else "",
        unknown_ids=unread,
    )


def _forced_tunnel(graph: EgressGraph, firewall: Firewall, subnet: Subnet | None) -> str:
    """Why a forced-tunnelled firewall's traffic leaves beyond it, or "": with a management
    IP configuration, internet-bound traffic follows AzureFirewallSubnet's own routes, SNATed
    to the firewall's private IP [FW-FT]; a 0.0.0.0/0 there to anything but the internet, or
    one BGP may bring, takes it on-premises or to another appliance."""
    if not firewall.management_ip_configuration or subnet is None:
        return ""
    found = graph.get(subnet.route_table_id)
    table = found if isinstance(found, RouteTable) else None
    if table is not None:
        routes = table.internet_routes()
        if any(r.next_hop_type is not NextHopType.INTERNET for r in routes):
            hops = ", ".join(f"{r.address_prefix} → {r.next_hop_type_text}" for r in routes)
            return (
                f"Azure Firewall {firewall.name} is forced-tunnelled: its subnet routes "
                f"{hops} (route table {table.name}), so the addresses its traffic leaves from "
                "are beyond that next hop"
            )
        if routes:
            return ""
    if graph.bgp_sources(subnet, table):
        return (
            f"Azure Firewall {firewall.name} has a management IP configuration (forced "
            "tunnelling) and routes learned over BGP reach its subnet: a 0.0.0.0/0 from "
            "on-premises would take its traffic there"
        )
    return ""


def _hub_firewall_path(path: EgressPath, firewall: Firewall) -> EgressPath:
    """A firewall in a Virtual WAN hub lists its public addresses in its own row, not as
    public IP resources; a row without them leaves the addresses unknown."""
    hub = firewall.virtual_hub_id.name if firewall.virtual_hub_id else "a virtual hub"
    addresses = firewall.hub_public_addresses
    complete = firewall.hub_public_ip_count in (None, len(addresses))
    if not addresses or not complete:
        return dataclasses.replace(
            path,
            reason=(
                f"Azure Firewall {firewall.name} sits in virtual hub {hub}; its row does not "
                "list all its public addresses (hubIPAddresses.publicIPs)"
            ),
        )
    cidrs = tuple(sorted(_host_cidr(address) for address in addresses))
    return dataclasses.replace(
        path, public_ips=cidrs, reason=f"Azure Firewall {firewall.name} in virtual hub {hub}"
    )


def _host_cidr(address: str) -> str:
    try:
        return f"{address}/{ipaddress.ip_address(address).max_prefixlen}"
    except ValueError:
        return address
