"""Plain indexes of an estate's payloads, built once beside its networkx graph.

Rules look resources up hundreds of thousands of times at tenant scale, and a lookup through a
networkx view costs several dictionary lookups and a view object each time: EgressGraph answers
from these instead. Keys are lower-cased ARM IDs, as the graph's nodes are.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

from auditor.graph.associations import NatAssociations
from auditor.graph.nodes import (
    Cluster,
    LoadBalancer,
    NatGateway,
    NodePool,
    Payload,
    Subnet,
    VirtualNetwork,
)

P = TypeVar("P")
Group = tuple[str, str]  # (subscription, resource group), lower-cased

AKS_LOAD_BALANCER_NAME = "kubernetes"


class EstateIndex:
    def __init__(self, payloads: dict[str, Payload]) -> None:
        self.payloads = payloads
        by_kind: dict[type, list[Payload]] = defaultdict(list)
        for payload in payloads.values():
            by_kind[type(payload)].append(payload)
        for found in by_kind.values():
            found.sort(key=_key)
        self._by_kind = by_kind
        self.vnets_by_group: dict[Group, list[VirtualNetwork]] = defaultdict(list)
        for vnet in self.all(VirtualNetwork):
            self.vnets_by_group[_group(vnet.subscription_id, vnet.resource_group)].append(vnet)
        self.aks_load_balancers: dict[Group, LoadBalancer] = {
            _group(lb.subscription_id, lb.resource_group): lb
            for lb in self.all(LoadBalancer)
            if lb.name.lower() == AKS_LOAD_BALANCER_NAME
        }
        self.nat_associations = NatAssociations(self.all(NatGateway), self.all(VirtualNetwork))
        self.nats_by_group: dict[Group, list[NatGateway]] = defaultdict(list)
        for nat in self.all(NatGateway):
            self.nats_by_group[_group(nat.subscription_id, nat.resource_group)].append(nat)
        # Each pool is linked from its own cluster (build.Edge.NODE_POOL), by cluster_id.
        self.pools: dict[str, list[NodePool]] = defaultdict(list)
        for pool in self.all(NodePool):
            self.pools[pool.cluster_id.key].append(pool)
        for pools in self.pools.values():
            pools.sort(key=lambda pool: pool.name.lower())
        self.node_pools = tuple(
            (cluster, pool)
            for cluster in self.all(Cluster)
            for pool in self.pools.get(cluster.id.key, ())
        )
        # Peerings, recorded by either side.
        self.peers: dict[str, set[str]] = defaultdict(set)
        for vnet in self.all(VirtualNetwork):
            for peering in vnet.peerings:
                self.peers[vnet.id.key].add(peering.remote_vnet_id.key)
                self.peers[peering.remote_vnet_id.key].add(vnet.id.key)
        self._pools_by_subnet: dict[str, list[NodePool]] | None = None
        self._subnets_by_nat: dict[str, set[str]] | None = None

    def all(self, payload_type: type[P]) -> list[P]:
        """Every payload of one type, sorted by key."""
        return self._by_kind.get(payload_type, [])  # type: ignore[return-value]

    def pools_in_subnet(self, subnet_key: str) -> list[NodePool]:
        """Pools whose vnetSubnetID or podSubnetID is the subnet, by key."""
        if self._pools_by_subnet is None:
            index: dict[str, list[NodePool]] = defaultdict(list)
            for pool in self.all(NodePool):
                for used in {i.key for i in (pool.vnet_subnet_id, pool.pod_subnet_id) if i}:
                    index[used].append(pool)
            self._pools_by_subnet = index
        return self._pools_by_subnet.get(subnet_key, [])

    def subnets_naming(self, nat_key: str) -> set[str]:
        """The keys of the subnets whose natGateway is this NAT gateway."""
        if self._subnets_by_nat is None:
            named: dict[str, set[str]] = defaultdict(set)
            for subnet in self.all(Subnet):
                if subnet.nat_gateway_id is not None:
                    named[subnet.nat_gateway_id.key].add(subnet.id.key)
            self._subnets_by_nat = named
        return self._subnets_by_nat.get(nat_key, set())


def _group(subscription: str, resource_group: str) -> Group:
    return subscription.lower(), resource_group.lower()


def _key(payload: Payload) -> str:
    return payload.id.key
