"""Which Azure Firewall a route's next hop IP is: the private IP of a firewall's IP
configuration in the route's own or a peered virtual network, or the private IP of a firewall
in a Virtual WAN hub (`hubIPAddresses.privateIPAddress`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.graph.nodes import Firewall


@dataclass(frozen=True, slots=True)
class FirewallMatch:
    firewall: Firewall | None  # the one firewall the address belongs to
    ambiguous: tuple[Firewall, ...] = ()  # several firewalls claim it: which one is unknown


class FirewallIndex:
    def __init__(self, firewalls: Iterable[Firewall]) -> None:
        # Each firewall with the key of its virtual network ("" for a hub firewall's).
        self._by_ip: dict[str, list[tuple[Firewall, str]]] = defaultdict(list)
        for firewall in firewalls:
            vnet_key = _vnet_key(firewall)
            for ip in firewall.private_ips:
                self._by_ip[ip].append((firewall, vnet_key))

    def at(self, address: str, reachable_vnet_keys: set[str]) -> FirewallMatch:
        """The firewall behind `address` as seen from the route's virtual networks. A
        firewall in a virtual network counts only where the route can reach it; a hub
        firewall's connections to spokes are not in the snapshot, so its address counts
        wherever it is unique: private address spaces of unrelated hubs overlap, and two
        claims make the match ambiguous rather than a guess."""
        found = [
            firewall
            for firewall, vnet_key in self._by_ip.get(address, [])
            if firewall.virtual_hub_id is not None or vnet_key in reachable_vnet_keys
        ]
        if len(found) == 1:
            return FirewallMatch(found[0])
        return FirewallMatch(None, tuple(found))


def _vnet_key(firewall: Firewall) -> str:
    subnet = firewall.subnet_id
    vnet = None if subnet is None else subnet.parent_id()
    return "" if vnet is None else vnet.key
