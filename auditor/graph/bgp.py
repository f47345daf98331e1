"""Where routes learned over BGP can reach a subnet from, and whether they can carry a default
route that overrides the subnet's NAT gateway.

Azure picks a route by longest prefix, then user-defined over BGP over system routes [UDR];
a 0.0.0.0/0 learned from on-premises over ExpressRoute or a BGP-enabled VPN takes the place of
the system route to the internet and of the NAT gateway ([NAT-OV]: "a VPN or ExpressRoute
gateway … advertising a default route"). A subnet learns the routes of the gateway in its own
virtual network, and of the gateway of a peered hub when its peering uses remote gateways,
unless its route table disables BGP route propagation. Resource Graph shows none of the learned
routes, so where they can arrive, whether a default route is among them is unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.arm import ResourceId
from auditor.enums import GatewayType
from auditor.graph.nodes import VirtualNetwork, VirtualNetworkGateway


@dataclass(frozen=True, slots=True)
class BgpSource:
    """A gateway whose learned routes reach a virtual network, or the hub that holds one we
    could not read (`gateway` None)."""

    vnet_id: ResourceId  # the virtual network the gateway sits in
    gateway: VirtualNetworkGateway | None
    through_peering: bool  # reached through a peering that uses remote gateways

    @property
    def may_learn_default_route(self) -> bool:
        """ExpressRoute always learns routes over BGP; a VPN gateway only with BGP on (a
        static VPN sends traffic to on-premises only by user-defined routes). An unread
        gateway may do either."""
        gateway = self.gateway
        if gateway is None or gateway.gateway_type is None:
            return True
        if gateway.gateway_type is GatewayType.EXPRESS_ROUTE:
            return True
        return gateway.gateway_type is GatewayType.VPN and gateway.bgp_enabled

    def describe(self) -> str:
        where = (
            f"peered virtual network {self.vnet_id.name}"
            if self.through_peering
            else (f"virtual network {self.vnet_id.name}")
        )
        if self.gateway is None:
            return f"the gateway of {where} (not in the snapshot)"
        kind = self.gateway.gateway_type_text or "virtual network"
        bgp = " (BGP on)" if self.gateway.bgp_enabled else ""
        return f"{kind} gateway {self.gateway.name}{bgp} in {where}"


class BgpSources:
    def __init__(
        self,
        vnets: Iterable[VirtualNetwork],
        gateways: Iterable[VirtualNetworkGateway],
        gateways_collected: bool,
    ) -> None:
        self._vnets = {vnet.id.key: vnet for vnet in vnets}
        self._gateways: dict[str, list[VirtualNetworkGateway]] = defaultdict(list)
        for gateway in gateways:
            vnet = gateway.vnet_id
            if vnet is not None:
                self._gateways[vnet.key].append(gateway)
        self._collected = gateways_collected

    def of(self, vnet_id: ResourceId) -> list[BgpSource]:
        """The gateways whose learned routes reach `vnet_id`'s subnets."""
        sources = [BgpSource(vnet_id, g, False) for g in self._gateways.get(vnet_id.key, [])]
        vnet = self._vnets.get(vnet_id.key)
        if vnet is None:
            return sources
        for peering in vnet.peerings:
            if not peering.use_remote_gateways:
                continue
            remote = peering.remote_vnet_id
            found = self._gateways.get(remote.key, [])
            if found:
                sources.extend(BgpSource(remote, g, True) for g in found)
            elif remote.key not in self._vnets or not self._collected:
                # The hub, or its gateway, was not read: it may learn anything.
                sources.append(BgpSource(remote, None, True))
            # A hub in the snapshot without a gateway: Azure refuses useRemoteGateways then,
            # so the flag is stale and no routes arrive.
        # Gateways were not read at all (an older snapshot): one in this VNet's own
        # GatewaySubnet is unknown.
        if (
            not self._collected
            and not self._gateways.get(vnet_id.key)
            and any(subnet_id.name.lower() == "gatewaysubnet" for subnet_id in vnet.subnet_ids)
        ):
            sources.append(BgpSource(vnet_id, None, False))
        return sources
