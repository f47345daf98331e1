"""Snapshot → networkx graph: nodes keyed by lower-cased ARM ID, typed payloads, typed edges.

Rows are read in two steps, so that a caller can let go of the snapshot's rows between them
(a file's rows hold its bytes): read_rows makes the payloads, build_graph links them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from auditor import snapshot
from auditor.arm import ResourceId
from auditor.errors import InputError
from auditor.graph import hub_rows, hub_shapes, shapes
from auditor.graph.nodes import (
    Cluster,
    Firewall,
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
from auditor.graph.rows import RowError, RowReader
from auditor.model import ResourceKind
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


@dataclass(frozen=True, slots=True)
class _Link:
    """One kind of reference, with what building the graph checks and stores for it."""

    field: str  # where the reference is read from, for errors
    allowed: tuple[type, ...]  # what the reference may point at: its kinds, then Unknown
    kinds: tuple[str, ...]  # the `kinds` of an edge of only this relation


def _link(edge: Edge, field: str, *types: type) -> _Link:
    return _Link(field, (*types, Unknown), (edge.value,))


_NODE_POOL = _link(Edge.NODE_POOL, "agentPoolProfiles", NodePool)
_NODES_IN = _link(Edge.NODES_IN, "vnetSubnetID", Subnet)
_PODS_IN = _link(Edge.PODS_IN, "podSubnetID", Subnet)
_NODE_PUBLIC_IP_PREFIX = _link(Edge.NODE_PUBLIC_IP_PREFIX, "nodePublicIPPrefixID", PublicIpPrefix)
_SUBNET = _link(Edge.SUBNET, "subnets", Subnet)
_NAT_GATEWAY = _link(Edge.NAT_GATEWAY, "natGateway", NatGateway)
_ROUTE_TABLE = _link(Edge.ROUTE_TABLE, "routeTable", RouteTable)
_PUBLIC_IP = _link(Edge.PUBLIC_IP, "publicIpAddresses", PublicIp)
_PUBLIC_IP_PREFIX = _link(Edge.PUBLIC_IP_PREFIX, "publicIpPrefixes", PublicIpPrefix)
_OUTBOUND_IP = _link(Edge.OUTBOUND_IP, "loadBalancerProfile", PublicIp, PublicIpPrefix)
_MANAGED_NAT_IP = _link(Edge.MANAGED_NAT_IP, "natGatewayProfile.effectiveOutboundIPs", PublicIp)
_FIREWALL_IP = _link(Edge.FIREWALL_IP, "ipConfigurations.publicIPAddress", PublicIp)
_FIREWALL_POLICY = _link(Edge.FIREWALL_POLICY, "firewallPolicy", FirewallPolicy)


@dataclass(frozen=True, slots=True)
class RowType:
    """How the graph reads one resource type: the shape its rows are decoded into and the
    reader that makes payloads of them (a payload, or one with its children): a RowReader
    method, or a function of hub_rows.py taking the RowReader."""

    resource_type: str
    shape: type[shapes.Row]
    read: Callable[[RowReader, Any], Payload | tuple[Payload, list[Any]]]


# Every resource type the graph reads, in the order its rows are read. A new type: its shape
# (shapes.py or hub_shapes.py), its reader (rows.py or hub_rows.py), its row here, and its
# references in _REFERENCES_OF.
ROW_TYPES: tuple[RowType, ...] = (
    RowType(snapshot.MANAGED_CLUSTERS, shapes.ClusterRow, RowReader.cluster),
    RowType(snapshot.VIRTUAL_NETWORKS, shapes.VirtualNetworkRow, RowReader.virtual_network),
    RowType(snapshot.NAT_GATEWAYS, shapes.NatGatewayRow, RowReader.nat_gateway),
    RowType(snapshot.PUBLIC_IPS, shapes.PublicIpRow, RowReader.public_ip),
    RowType(snapshot.PUBLIC_IP_PREFIXES, shapes.PublicIpPrefixRow, RowReader.public_ip_prefix),
    RowType(snapshot.ROUTE_TABLES, shapes.RouteTableRow, RowReader.route_table),
    RowType(snapshot.LOAD_BALANCERS, shapes.LoadBalancerRow, RowReader.load_balancer),
    RowType(snapshot.AZURE_FIREWALLS, hub_shapes.FirewallRow, hub_rows.firewall),
    RowType(snapshot.FIREWALL_POLICIES, hub_shapes.FirewallPolicyRow, hub_rows.firewall_policy),
    RowType(
        snapshot.VIRTUAL_NETWORK_GATEWAYS,
        hub_shapes.VirtualNetworkGatewayRow,
        hub_rows.virtual_network_gateway,
    ),
)

# The graph attribute holding the resource types the snapshot was asked for.
COLLECTED = "collected"


@dataclass(frozen=True, slots=True)
class EstateRows:
    """Every payload of one snapshot, read and checked, before they are linked: the source
    names the file in errors."""

    source: str
    payloads: list[Payload]
    collected: frozenset[str]  # the resource types the snapshot was asked for


def read_rows(snap: Snapshot) -> EstateRows:
    """Decode and read every row the graph reads, each error naming the file and the row's
    JSON path. Afterwards the snapshot's rows are no longer needed to build the graph."""
    reader = RowReader()
    payloads: list[Payload] = []
    add = payloads.append
    for row_type in ROW_TYPES:
        read = row_type.read
        records = snap.records(row_type.resource_type, row_type.shape)
        for index, record in enumerate(records):
            try:
                found = read(reader, record)
            except RowError as exc:
                where = f"resources.{row_type.resource_type}[{index}].{exc.field}"
                raise InputError(snap.source, where, exc.problem) from None
            if isinstance(found, tuple):
                add(found[0])
                payloads.extend(found[1])
            else:
                add(found)
        del records  # one type's records at a time
    return EstateRows(snap.source, payloads, snap.collected_types)


def build_graph(estate: Snapshot | EstateRows) -> nx.DiGraph[str]:
    """Link the resources: nodes keyed by lower-cased ARM ID, edges by reference; a reference
    to a resource not in the snapshot becomes an Unknown node."""
    # Imported here: commands that build no graph (`egress-audit rules`) never load networkx.
    import networkx as nx

    rows = read_rows(estate) if isinstance(estate, Snapshot) else estate
    nodes: dict[str, Payload] = {}
    for payload in rows.payloads:
        key = payload.id.key
        if key in nodes:
            raise InputError(
                rows.source, payload.id.text, "appears twice (IDs compare case-insensitively)"
            )
        nodes[key] = payload

    # One edge per pair of nodes; its `kinds` hold every relation between them (in practice
    # one, and the same 1-tuple for every edge of a kind).
    edges: dict[tuple[str, str], tuple[str, ...]] = {}
    for payload in list(nodes.values()):
        references = _REFERENCES_OF.get(type(payload))
        if references is None:
            continue
        for source, target_id, link in references(payload):
            if target_id is None:
                continue
            target = target_id.key
            found = nodes.get(target)
            if found is None:
                nodes[target] = Unknown(target_id, ResourceKind.of(target_id))
            elif not isinstance(found, link.allowed):
                raise _wrong_kind(rows.source, source, target_id, found, link)
            pair = (source.key, target)
            kinds = edges.get(pair)
            if kinds is None:
                edges[pair] = link.kinds
            elif link.kinds[0] not in kinds:
                edges[pair] = (*kinds, *link.kinds)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.graph[COLLECTED] = rows.collected
    graph.add_nodes_from(nodes)
    for key, data in graph.nodes(data=True):
        data["payload"] = nodes[key]
    graph.add_edges_from((u, v, {"kinds": kinds}) for (u, v), kinds in edges.items())
    return graph


def _wrong_kind(
    source: str, referrer: ResourceId, target_id: ResourceId, found: Payload, link: _Link
) -> InputError:
    return InputError(
        source,
        f"{referrer} {link.field}",
        f"refers to {target_id}, a {kind_of(found).label}, "
        f"not a {kind_of_type(link.allowed[0]).label}",
    )


Reference = tuple[ResourceId, "ResourceId | None", _Link]


def _subnet_references(subnet: Subnet) -> Iterable[Reference]:
    return (
        (subnet.vnet_id, subnet.id, _SUBNET),
        (subnet.id, subnet.nat_gateway_id, _NAT_GATEWAY),
        (subnet.id, subnet.route_table_id, _ROUTE_TABLE),
    )


def _nat_gateway_references(nat: NatGateway) -> Iterable[Reference]:
    for ip_id in (*nat.public_ip_ids, *nat.public_ip_v6_ids):
        yield nat.id, ip_id, _PUBLIC_IP
    for prefix_id in (*nat.public_ip_prefix_ids, *nat.public_ip_prefix_v6_ids):
        yield nat.id, prefix_id, _PUBLIC_IP_PREFIX


def _pool_references(pool: NodePool) -> Iterable[Reference]:
    return (
        (pool.cluster_id, pool.id, _NODE_POOL),
        (pool.id, pool.vnet_subnet_id, _NODES_IN),
        (pool.id, pool.pod_subnet_id, _PODS_IN),
        (pool.id, pool.node_public_ip_prefix_id, _NODE_PUBLIC_IP_PREFIX),
    )


def _cluster_references(cluster: Cluster) -> Iterable[Reference]:
    lb = cluster.load_balancer_profile
    if lb is not None:
        for ip_id in (*lb.effective_outbound_ip_ids, *lb.outbound_prefix_ids):
            yield cluster.id, ip_id, _OUTBOUND_IP
    nat = cluster.nat_gateway_profile
    if nat is not None:
        for ip_id in nat.effective_outbound_ip_ids:
            yield cluster.id, ip_id, _MANAGED_NAT_IP


def _firewall_references(firewall: Firewall) -> Iterable[Reference]:
    for ip_id in firewall.public_ip_ids:
        yield firewall.id, ip_id, _FIREWALL_IP
    yield firewall.id, firewall.policy_id, _FIREWALL_POLICY


# The references each payload type holds, as edges.
_REFERENCES_OF: dict[type, Callable[[Any], Iterable[Reference]]] = {
    Subnet: _subnet_references,
    NatGateway: _nat_gateway_references,
    NodePool: _pool_references,
    Cluster: _cluster_references,
    Firewall: _firewall_references,
}
