"""The typed facade rules and reports use; networkx stays behind it."""

from __future__ import annotations

import datetime as dt
import fnmatch
import ipaddress
from collections import defaultdict
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from auditor.arm import ResourceId
from auditor.graph import balancers, egress, workloads
from auditor.graph.associations import NatAssociation
from auditor.graph.balancers import LoadBalancerOutbound, SnatFrontends
from auditor.graph.bgp import BgpSource, BgpSources
from auditor.graph.build import COLLECTED, EstateRows, build_graph
from auditor.graph.firewalls import FirewallIndex, FirewallMatch
from auditor.graph.indexes import EstateIndex
from auditor.graph.nodes import (
    Cluster,
    Firewall,
    LoadBalancer,
    NatGateway,
    NodePool,
    Payload,
    PublicIp,
    PublicIpPrefix,
    RouteTable,
    Subnet,
    Unknown,
    VirtualNetwork,
    VirtualNetworkGateway,
)
from auditor.model import EgressPath, Hop, ResourceKind
from auditor.snapshot import VIRTUAL_NETWORK_GATEWAYS, Snapshot

if TYPE_CHECKING:
    import networkx as nx

P = TypeVar("P")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MANAGED_VNET_GLOB = "aks-vnet-*"
MANAGED_SUBNET_NAME = "aks-subnet"


class EgressGraph:
    """An estate as a graph: cluster → node pool → subnet → NAT gateway → public IPs / prefixes."""

    def __init__(self, graph: nx.DiGraph[str], as_of: dt.date) -> None:
        self.nx = graph
        self.as_of = as_of  # the day the estate was read: time-based rules judge against it
        index = EstateIndex({key: data["payload"] for key, data in graph.nodes(data=True)})
        self._index = index
        self._payloads = index.payloads
        # What rules ask for again and again, kept once made.
        self._node_subnets: dict[str, Subnet | Unknown] = {}
        self._associations: dict[str, NatAssociation] = {}
        self._node_egress: dict[str, EgressPath] = {}
        self._pod_egress: dict[str, EgressPath | None] = {}
        self._subnet_egress: dict[tuple[str, str, str, str], EgressPath] = {}
        self._virtual_node_egress: dict[str, EgressPath | None] = {}
        self._cidrs: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[ResourceId, ...]]] = {}
        self._address_hops: dict[str, Hop] = {}
        self._pools_by_device: dict[str, list[NodePool]] | None = None
        self._pool_subnets: (
            tuple[tuple[Subnet, tuple[tuple[Cluster, NodePool], ...]], ...] | None
        ) = None
        self._managed_nat_owners: Mapping[ResourceId, Cluster] | None = None
        collected = graph.graph.get(COLLECTED)
        self._collected: frozenset[str] | None = collected
        self._firewalls = FirewallIndex(self.all(Firewall))
        self._bgp = BgpSources(
            self.all(VirtualNetwork),
            self.all(VirtualNetworkGateway),
            self.collected(VIRTUAL_NETWORK_GATEWAYS),
        )
        self._snat: dict[str, SnatFrontends] = {}

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> EgressGraph:
        return cls(build_graph(snap), snap.collected_date)

    @classmethod
    def from_rows(cls, rows: EstateRows, as_of: dt.date) -> EgressGraph:
        """The graph of rows read already (build.read_rows), read on `as_of`."""
        return cls(build_graph(rows), as_of)

    # -- lookups ---------------------------------------------------------------------------

    def all(self, payload_type: type[P]) -> list[P]:
        """Every payload of one type, sorted by key."""
        return self._index.all(payload_type)

    def get(self, resource_id: ResourceId | None) -> Payload | None:
        return None if resource_id is None else self._payloads.get(resource_id.key)

    def _payload(self, key: str) -> Payload | None:
        return self._payloads.get(key)

    def clusters(self) -> list[Cluster]:
        return self.all(Cluster)

    def pools(self, cluster: Cluster) -> list[NodePool]:
        """The cluster's node pools, by name."""
        return self._index.pools.get(cluster.id.key, [])

    def cluster_of(self, pool: NodePool) -> Cluster:
        found = self._payloads[pool.cluster_id.key]
        assert isinstance(found, Cluster)  # noqa: S101 - pools are only built from clusters
        return found

    def unknowns(self) -> list[Unknown]:
        return self.all(Unknown)

    # -- subnets ---------------------------------------------------------------------------

    def node_subnet(self, pool: NodePool) -> Subnet | Unknown:
        """The subnet a pool's nodes sit in; the AKS-managed one when `vnetSubnetID` is unset."""
        found = self._node_subnets.get(pool.id.key)
        if found is None:
            found = self._node_subnets[pool.id.key] = self._find_node_subnet(pool)
        return found

    def _find_node_subnet(self, pool: NodePool) -> Subnet | Unknown:
        if pool.vnet_subnet_id:
            found = self.get(pool.vnet_subnet_id)
            assert isinstance(found, Subnet | Unknown)  # noqa: S101 - linked in build_graph
            return found
        return self._managed_subnet(self.cluster_of(pool))

    def pod_subnet(self, pool: NodePool) -> Subnet | Unknown | None:
        if not pool.pod_subnet_id:
            return None
        found = self.get(pool.pod_subnet_id)
        assert isinstance(found, Subnet | Unknown)  # noqa: S101 - linked in build_graph
        return found

    def _managed_subnet(self, cluster: Cluster) -> Subnet | Unknown:
        group = cluster.node_resource_group or ""
        group_id = ResourceId.of(f"/subscriptions/{cluster.subscription_id}/resourceGroups/{group}")
        candidates = [
            vnet
            for vnet in self._index.vnets_by_group.get(
                (cluster.subscription_id.lower(), group.lower()), []
            )
            if fnmatch.fnmatch(vnet.name.lower(), MANAGED_VNET_GLOB)
        ]
        subnets = [
            subnet
            for vnet in candidates
            for subnet_id in vnet.subnet_ids
            if isinstance(subnet := self.get(subnet_id), Subnet)
            and subnet.name.lower() == MANAGED_SUBNET_NAME
        ]
        if len(subnets) == 1:
            return subnets[0]
        return Unknown(group_id, ResourceKind.MANAGED_VIRTUAL_NETWORK)

    def aks_load_balancer(self, cluster: Cluster) -> LoadBalancer | None:
        """The `kubernetes` load balancer AKS keeps in the cluster's node resource group."""
        group = (cluster.subscription_id.lower(), (cluster.node_resource_group or "").lower())
        return self._index.aks_load_balancers.get(group)

    def managed_nat_gateways(self, cluster: Cluster) -> list[NatGateway]:
        """The NAT gateways AKS created for a managed-NAT cluster, in its node resource group
        ([AKS-NAT]); none for any other outbound type."""
        if not cluster.is_managed_nat or not cluster.node_resource_group:
            return []
        group = (cluster.subscription_id.lower(), cluster.node_resource_group.lower())
        return self._index.nats_by_group.get(group, [])

    def load_balancer_outbound(self, cluster: Cluster) -> LoadBalancerOutbound:
        return balancers.load_balancer_outbound(self, cluster)

    def snat_frontends(self, cluster: Cluster) -> SnatFrontends:
        cached = self._snat.get(cluster.id.key)
        if cached is None:
            cached = self._snat[cluster.id.key] = balancers.snat_frontends(self, cluster)
        return cached

    # -- firewalls and gateways ------------------------------------------------------------

    def collected(self, resource_type: str) -> bool:
        """Whether the snapshot was asked for a resource type (older ones lack some)."""
        return self._collected is None or resource_type in self._collected

    def firewall_at(self, from_subnet: Subnet, address: str) -> FirewallMatch:
        """The Azure Firewall whose private IP a route from `from_subnet` sends traffic to."""
        return self._firewalls.at(address, self._reachable_vnet_keys(from_subnet))

    def _reachable_vnet_keys(self, subnet: Subnet) -> set[str]:
        """The subnet's own virtual network and those peered with it (either side may list
        the peering): where a route's next hop can be."""
        own = subnet.vnet_id.key
        return {own, *self._index.peers.get(own, ())}

    def bgp_sources(self, subnet: Subnet, table: RouteTable | None) -> list[BgpSource]:
        """The gateways whose learned routes reach the subnet's virtual network and may bring
        it a default route from on-premises; none when the subnet's route table `table` does
        not propagate gateway routes."""
        if table is not None and table.bgp_propagation_disabled:
            return []
        return [s for s in self._bgp.of(subnet.vnet_id) if s.may_learn_default_route]

    def nat_association(self, subnet: Subnet) -> NatAssociation:
        """The NAT gateway of a subnet (its own, or one attached to the whole VNet), or why it
        is unknown: the subnet's and the NAT gateway's records disagree."""
        found = self._associations.get(subnet.id.key)
        if found is None:
            found = self._associations[subnet.id.key] = self._index.nat_associations.of(subnet)
        return found

    def subnet_nat_gateway_id(self, subnet: Subnet) -> ResourceId | None:
        """The NAT gateway both records of the association agree on; None when there is none
        or it is unknown (see nat_association)."""
        return self.nat_association(subnet).nat_id

    def subnet_reachable(self, from_subnet: Subnet, address: str) -> Subnet | None:
        """The subnet an IP address of a route's next hop sits in, looked up where the route
        can reach (_reachable_vnet_keys). Address spaces of unrelated VNets overlap all the
        time, so nothing else is searched; the most specific prefix wins."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        candidates = [
            (network, subnet)
            for vnet_key in sorted(self._reachable_vnet_keys(from_subnet))
            if isinstance(vnet := self._payload(vnet_key), VirtualNetwork)
            for subnet_id in vnet.subnet_ids
            if isinstance(subnet := self.get(subnet_id), Subnet)
            for network in _networks(subnet)
            if ip in network
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda item: item[0].prefixlen)[1]

    def pools_in_subnet(self, subnet_id: ResourceId) -> list[NodePool]:
        """Node pools whose nodes or pods use the subnet (by vnetSubnetID or podSubnetID)."""
        return self._index.pools_in_subnet(subnet_id.key)

    def subnets_of_nat(self, nat: NatGateway) -> list[Subnet]:
        """Subnets that send traffic through a NAT gateway (by either side's reference)."""
        keys = set(self._index.subnets_naming(nat.id.key))
        keys.update(subnet_id.key for subnet_id in nat.subnet_ids)
        if nat.source_virtual_network_id:
            vnet = self.get(nat.source_virtual_network_id)
            if isinstance(vnet, VirtualNetwork):
                keys.update(subnet_id.key for subnet_id in vnet.subnet_ids)
        return [
            payload for key in sorted(keys) if isinstance(payload := self._payload(key), Subnet)
        ]

    def pool_subnets(self) -> tuple[tuple[Subnet, tuple[tuple[Cluster, NodePool], ...]], ...]:
        """Every readable subnet that nodes or pods of a node pool sit in, with those pools, by
        subnet key (this also finds the AKS-managed subnet, which pools reference only
        through their cluster). Made once: several rules judge every pool subnet."""
        if self._pool_subnets is None:
            found: dict[str, tuple[Subnet, list[tuple[Cluster, NodePool]]]] = {}
            for cluster, pool in self._index.node_pools:
                subnets = {
                    subnet.id.key: subnet
                    for subnet in (self.node_subnet(pool), self.pod_subnet(pool))
                    if isinstance(subnet, Subnet)
                }
                for key, subnet in subnets.items():
                    found.setdefault(key, (subnet, []))[1].append((cluster, pool))
            self._pool_subnets = tuple(
                (found[key][0], tuple(found[key][1])) for key in sorted(found)
            )
        return self._pool_subnets

    def managed_nat_owners(self) -> Mapping[ResourceId, Cluster]:
        """AKS-managed NAT gateways → their cluster (see managed_nat_gateways); made once."""
        if self._managed_nat_owners is None:
            self._managed_nat_owners = MappingProxyType(
                {
                    nat.id: cluster
                    for cluster in self.clusters()
                    for nat in self.managed_nat_gateways(cluster)
                }
            )
        return self._managed_nat_owners

    def pools_behind_nat(self, nat: NatGateway) -> list[NodePool]:
        """Node pools whose effective node egress is this NAT gateway."""
        if self._pools_by_device is None:
            index: dict[str, list[NodePool]] = defaultdict(list)
            for _, pool in self.node_pools():
                device = self.egress(pool).device_id
                if device:
                    index[device.key].append(pool)
            self._pools_by_device = index
        return self._pools_by_device.get(nat.id.key, [])

    # -- public addresses ------------------------------------------------------------------

    def cidrs(self, ids: tuple[ResourceId, ...]) -> tuple[tuple[str, ...], tuple[ResourceId, ...]]:
        """The CIDRs of public IPs / prefixes, and the IDs whose address is unknown (kept per
        list of IDs: every path through a NAT gateway or load balancer asks again)."""
        spelled = tuple([resource_id.text for resource_id in ids])  # unknown IDs as spelled
        known = self._cidrs.get(spelled)
        if known is not None:
            return known
        found: list[str] = []
        unknown: list[ResourceId] = []
        for resource_id in ids:
            cidr = _cidr(self.get(resource_id))
            if cidr is None:
                unknown.append(resource_id)
            else:
                found.append(cidr)
        known = self._cidrs[spelled] = (tuple(sorted(set(found))), tuple(unknown))
        return known

    def address_hops(self, ids: tuple[ResourceId, ...]) -> tuple[Hop, ...]:
        """The hops of public IPs and prefixes, each made once per spelling (Hop.address_of)."""
        hops = self._address_hops
        found = []
        for resource_id in ids:
            hop = hops.get(resource_id.text)
            if hop is None:
                hop = hops[resource_id.text] = Hop.address_of(resource_id)
            found.append(hop)
        return tuple(found)

    # -- egress ----------------------------------------------------------------------------

    def egress(self, pool: NodePool) -> EgressPath:
        """Where new outbound flows of the pool's nodes (and overlay/kubenet pods) leave."""
        cached = self._node_egress.get(pool.id.key)
        if cached is None:
            cached = self._subnet_path(self.cluster_of(pool), self.node_subnet(pool), pool)
            self._node_egress[pool.id.key] = cached
        return cached

    def pod_egress(self, pool: NodePool) -> EgressPath | None:
        """Egress of pods in a separate pod subnet (Azure CNI pod subnet); None otherwise."""
        key = pool.id.key
        if key not in self._pod_egress:
            subnet = self.pod_subnet(pool)
            self._pod_egress[key] = (
                None if subnet is None else self._subnet_path(self.cluster_of(pool), subnet, None)
            )
        return self._pod_egress[key]

    def _subnet_path(
        self, cluster: Cluster, subnet: Subnet | Unknown, pool: NodePool | None
    ) -> EgressPath:
        """The egress of a cluster's nodes or pods in a subnet (egress.resolve), resolved once
        for all the cluster's pools there: a pool's own part in it is only its nodes'
        instance-level public IPs."""
        own = pool if pool is not None and pool.enable_node_public_ip else None
        # An unread AKS-managed VNet is keyed by its node resource group's ID, which a pool may
        # also name as a subnet it cannot read: the kind tells the two apart.
        kind = subnet.kind.name if isinstance(subnet, Unknown) else ""
        key = (cluster.id.key, kind, subnet.id.key, "" if own is None else own.id.key)
        found = self._subnet_egress.get(key)
        if found is None:
            found = self._subnet_egress[key] = egress.resolve(
                self, cluster, subnet, node_ip_pool=own
            )
        return found

    # -- traffic that does not leave by the node pools' paths (auditor/graph/workloads.py) --

    def virtual_node_egress(self, cluster: Cluster) -> EgressPath | None:
        """Kept once resolved: EGR013, EGR010 and the result's view each ask for it."""
        key = cluster.id.key
        if key not in self._virtual_node_egress:
            self._virtual_node_egress[key] = workloads.virtual_node_egress(self, cluster)
        return self._virtual_node_egress[key]

    def gateway_egress(
        self, pool: NodePool, *, prefix_id: ResourceId | None = None, public: bool = True
    ) -> EgressPath:
        return workloads.gateway_egress(self, pool, prefix_id=prefix_id, public=public)

    def node_pools(self) -> Iterator[tuple[Cluster, NodePool]]:
        """Every node pool with its cluster, clusters by key and pools by name."""
        return iter(self._index.node_pools)


def _networks(subnet: Subnet) -> list[Network]:
    networks = []
    for prefix in subnet.address_prefixes:
        try:
            networks.append(ipaddress.ip_network(prefix, strict=False))
        except ValueError:
            continue
    return networks


def _cidr(payload: Payload | None) -> str | None:
    if isinstance(payload, PublicIp) and payload.ip_address:
        bits = 128 if ":" in payload.ip_address else 32
        return f"{payload.ip_address}/{bits}"
    if isinstance(payload, PublicIpPrefix) and payload.ip_prefix:
        return payload.ip_prefix
    return None
