"""Which NAT gateway a subnet's traffic uses, read from both sides of the association.

Azure records a NAT gateway association twice: the subnet names its NAT gateway
(`natGateway`), and the NAT gateway lists its subnets (`subnets`); a NAT gateway attached to a
whole virtual network names it (`sourceVirtualNetwork`, [NAT-SKU]) and the virtual network
names the gateway (`defaultPublicNatGateway`). Resource Graph indexes each resource on its
own, so a snapshot can hold one side written and the other not yet. When the two sides of a
subnet's association disagree, its NAT gateway is unknown, with both IDs in the reason: never
"no NAT gateway" on the strength of one side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.arm import ResourceId
from auditor.graph.nodes import NatGateway, Subnet, VirtualNetwork


@dataclass(frozen=True, slots=True)
class NatAssociation:
    nat_id: ResourceId | None  # the NAT gateway both sides agree on; None: none, or unknown
    conflict: str = ""  # why the two sides disagree; the NAT gateway is then unknown
    ids: tuple[ResourceId, ...] = ()  # the resources whose records disagree

    @property
    def is_unknown(self) -> bool:
        return bool(self.conflict)


class NatAssociations:
    def __init__(self, nats: Iterable[NatGateway], vnets: Iterable[VirtualNetwork]) -> None:
        self._nats = {nat.id.key: nat for nat in nats}
        self._listed_by: dict[str, list[NatGateway]] = defaultdict(list)
        self._vnet_nats: dict[str, set[ResourceId]] = defaultdict(set)
        for nat in self._nats.values():
            for subnet_id in nat.subnet_ids:
                self._listed_by[subnet_id.key].append(nat)
            if nat.source_virtual_network_id is not None:
                self._vnet_nats[nat.source_virtual_network_id.key].add(nat.id)
        for vnet in vnets:
            if vnet.default_public_nat_gateway_id is not None:
                self._vnet_nats[vnet.id.key].add(vnet.default_public_nat_gateway_id)

    def of(self, subnet: Subnet) -> NatAssociation:
        own = subnet.nat_gateway_id
        listing = {nat.id for nat in self._listed_by.get(subnet.id.key, ())}
        if own is None:
            if listing:
                nat_id = min(listing)
                return NatAssociation(
                    None,
                    f"NAT gateway {nat_id} lists subnet {subnet.id} among its subnets, but the "
                    "subnet names no NAT gateway: the two records disagree (often one was read "
                    "before the other was updated)",
                    (subnet.id, nat_id),
                )
            return self._whole_network(subnet)
        others = listing - {own}
        if others:
            other = min(others)
            return NatAssociation(
                None,
                f"subnet {subnet.id} names NAT gateway {own}, but NAT gateway {other} lists it "
                "among its subnets: the records disagree",
                (subnet.id, own, other),
            )
        nat = self._nats.get(own.key)
        if nat is not None and own not in listing:
            return NatAssociation(
                None,
                f"subnet {subnet.id} names NAT gateway {own}, but the NAT gateway does not list "
                "the subnet among its subnets: the two records disagree (often one was read "
                "before the other was updated)",
                (subnet.id, own),
            )
        return NatAssociation(own)

    def _whole_network(self, subnet: Subnet) -> NatAssociation:
        nats = self._vnet_nats.get(subnet.vnet_id.key, set())
        if len(nats) > 1:
            return NatAssociation(
                None,
                f"virtual network {subnet.vnet_id} is attached to more than one NAT gateway "
                f"({', '.join(n.text for n in sorted(nats))}): the records disagree",
                (subnet.vnet_id, *sorted(nats)),
            )
        return NatAssociation(next(iter(nats), None))
