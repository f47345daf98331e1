"""Snapshot → networkx graph: nodes keyed by lower-cased ARM ID, typed payloads, typed edges."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from auditor import snapshot
from auditor.arm import ResourceId
from auditor.errors import InputError
from auditor.graph import hub_rows
from auditor.graph.nodes import (
    Cluster,
    FirewallPolicy,
    NatGateway,
    NodePool,
    Payload,
    PublicIp,
    PublicIpPrefix,
    RouteTable,
    Subnet,
    Unknown,
    kind_of,
    kind_of_type,
)
from auditor.graph.rows import RowReader
from auditor.model import ResourceKind
from auditor.reader import Node
from auditor.snapshot import Snapshot

if TYPE_CHECKING:
    import networkx as nx


class Edge(Enum):
    NODE_POOL = "node-pool"  # cluster → node pool
    NODES_IN = "nodes-in"  # node pool → subnet (vnetSubnetID)
    PODS_IN = "pods-in"  # node pool → subnet (podSubnetID)
    NODE_PUBLIC_IP_PREFIX = "node-public-ip-prefix"  # node pool → prefix
    SUBNET = "subnet"  # virtual network → subnet
    NAT_GATEWAY = "nat-gateway"  # subnet → NAT gateway
    ROUTE_TABLE = "route-table"  # subnet → route table
    PUBLIC_IP = "public-ip"  # NAT gateway → public IP
    PUBLIC_IP_PREFIX = "public-ip-prefix"  # NAT gateway → public IP prefix
    OUTBOUND_IP = "outbound-ip"  # cluster → load balancer outbound public IP / prefix
    MANAGED_NAT_IP = "managed-nat-ip"  # cluster → managed NAT gateway outbound public IP
    FIREWALL_IP = "firewall-ip"  # Azure Firewall → its public IP
    FIREWALL_POLICY = "firewall-policy"  # Azure Firewall → its firewall policy


# The field each reference is read from, and what it must refer to.
_REFERENCES: dict[Edge, tuple[str, tuple[type, ...]]] = {
    Edge.NODE_POOL: ("agentPoolProfiles", (NodePool,)),
    Edge.NODES_IN: ("vnetSubnetID", (Subnet,)),
    Edge.PODS_IN: ("podSubnetID", (Subnet,)),
    Edge.NODE_PUBLIC_IP_PREFIX: ("nodePublicIPPrefixID", (PublicIpPrefix,)),
    Edge.SUBNET: ("subnets", (Subnet,)),
    Edge.NAT_GATEWAY: ("natGateway", (NatGateway,)),
    Edge.ROUTE_TABLE: ("routeTable", (RouteTable,)),
    Edge.PUBLIC_IP: ("publicIpAddresses", (PublicIp,)),
    Edge.PUBLIC_IP_PREFIX: ("publicIpPrefixes", (PublicIpPrefix,)),
    Edge.OUTBOUND_IP: ("loadBalancerProfile", (PublicIp, PublicIpPrefix)),
    Edge.MANAGED_NAT_IP: ("natGatewayProfile.effectiveOutboundIPs", (PublicIp,)),
    Edge.FIREWALL_IP: ("ipConfigurations.publicIPAddress", (PublicIp,)),
    Edge.FIREWALL_POLICY: ("firewallPolicy", (FirewallPolicy,)),
}

# The graph attribute holding the resource types the snapshot was asked for.
COLLECTED = "collected"

T = TypeVar("T")


def build_graph(snap: Snapshot) -> nx.DiGraph[str]:
    """Parse every row (validating the fields read) and link the resources."""
    # Imported here: commands that build no graph (`egress-audit rules`) never load networkx.
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.graph[COLLECTED] = snap.collected_types
    nodes: dict[str, dict[str, object]] = {}
    reader = RowReader()

    def add(payload: Payload) -> None:
        key = payload.id.key
        if key in nodes:
            raise InputError(
                snap.source, payload.id.text, "appears twice (IDs compare case-insensitively)"
            )
        nodes[key] = {"payload": payload}

    def parse_all(resource_type: str, parse: Callable[[Node], T]) -> list[T]:
        count = len(snap.rows(resource_type))
        return [parse(snap.resource_node(resource_type, i)) for i in range(count)]

    clusters = parse_all(snapshot.MANAGED_CLUSTERS, reader.cluster)
    vnets = parse_all(snapshot.VIRTUAL_NETWORKS, reader.virtual_network)
    nats = parse_all(snapshot.NAT_GATEWAYS, reader.nat_gateway)
    firewalls = parse_all(snapshot.AZURE_FIREWALLS, partial(hub_rows.firewall, reader))
    policies = parse_all(snapshot.FIREWALL_POLICIES, partial(hub_rows.firewall_policy, reader))
    simple: list[Payload] = [
        *parse_all(snapshot.PUBLIC_IPS, reader.public_ip),
        *parse_all(snapshot.PUBLIC_IP_PREFIXES, reader.public_ip_prefix),
        *parse_all(snapshot.ROUTE_TABLES, reader.route_table),
        *parse_all(snapshot.LOAD_BALANCERS, reader.load_balancer),
        *parse_all(
            snapshot.VIRTUAL_NETWORK_GATEWAYS, partial(hub_rows.virtual_network_gateway, reader)
        ),
        *nats,
        *firewalls,
        *policies,
    ]
    for payload in simple:
        add(payload)
    for vnet, subnets in vnets:
        add(vnet)
        for subnet in subnets:
            add(subnet)
    for cluster, pools in clusters:
        add(cluster)
        for pool in pools:
            add(pool)

    # One edge per pair of nodes; `kinds` holds every relation between them (in practice one).
    edges: dict[tuple[str, str], list[str]] = {}

    def link(source: ResourceId, target_id: ResourceId | None, edge: Edge) -> None:
        if not target_id:
            return
        target = target_id.key
        if target not in nodes:
            nodes[target] = {"payload": Unknown(target_id, ResourceKind.of(target_id))}
        found = nodes[target]["payload"]
        field, expected = _REFERENCES[edge]
        if not isinstance(found, (Unknown, *expected)):
            raise InputError(
                snap.source,
                f"{source} {field}",
                f"refers to {target_id}, a {kind_of(found).label}, "
                f"not a {kind_of_type(expected[0]).label}",
            )
        kinds = edges.setdefault((source.key, target), [])
        if edge.value not in kinds:
            kinds.append(edge.value)

    for vnet, subnets in vnets:
        for subnet in subnets:
            link(vnet.id, subnet.id, Edge.SUBNET)
            link(subnet.id, subnet.nat_gateway_id, Edge.NAT_GATEWAY)
            link(subnet.id, subnet.route_table_id, Edge.ROUTE_TABLE)
    for nat in nats:
        for ip_id in (*nat.public_ip_ids, *nat.public_ip_v6_ids):
            link(nat.id, ip_id, Edge.PUBLIC_IP)
        for prefix_id in (*nat.public_ip_prefix_ids, *nat.public_ip_prefix_v6_ids):
            link(nat.id, prefix_id, Edge.PUBLIC_IP_PREFIX)
    for firewall in firewalls:
        for ip_id in firewall.public_ip_ids:
            link(firewall.id, ip_id, Edge.FIREWALL_IP)
        link(firewall.id, firewall.policy_id, Edge.FIREWALL_POLICY)
    for cluster, pools in clusters:
        _link_cluster(cluster, pools, link)
    graph.add_nodes_from(nodes.items())
    graph.add_edges_from((u, v, {"kinds": tuple(k)}) for (u, v), k in edges.items())
    return graph


def _link_cluster(
    cluster: Cluster,
    pools: list[NodePool],
    link: Callable[[ResourceId, ResourceId | None, Edge], None],
) -> None:
    for pool in pools:
        link(cluster.id, pool.id, Edge.NODE_POOL)
        link(pool.id, pool.vnet_subnet_id, Edge.NODES_IN)
        link(pool.id, pool.pod_subnet_id, Edge.PODS_IN)
        link(pool.id, pool.node_public_ip_prefix_id, Edge.NODE_PUBLIC_IP_PREFIX)
    lb = cluster.load_balancer_profile
    if lb is not None:
        for ip_id in (*lb.effective_outbound_ip_ids, *lb.outbound_prefix_ids):
            link(cluster.id, ip_id, Edge.OUTBOUND_IP)
    nat = cluster.nat_gateway_profile
    if nat is not None:
        for ip_id in nat.effective_outbound_ip_ids:
            link(cluster.id, ip_id, Edge.MANAGED_NAT_IP)
