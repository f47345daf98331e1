"""Egress facts several rules share: qualifying default routes, the NAT gateways and paths of
node pools and workloads, and the commands that fix them (the facts EgressGraph keeps once
made, such as pool subnets and AKS-managed NAT gateways, are asked of the graph itself)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from auditor.arm import ResourceId
from auditor.enums import NextHopType, OutboundType
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NatGateway, NodePool, Route, RouteTable, Subnet
from auditor.model import EgressKind, EgressPath
from auditor.policy import Policy
from rules._text import egress_change


def overrides_nat(route: Route) -> bool:
    """A route to an appliance or a VNet gateway, which decides egress over a NAT gateway."""
    return route.next_hop_type is not None and route.next_hop_type.overrides_nat


def drops(route: Route) -> bool:
    return route.next_hop_type is NextHopType.NONE


# -- subnets and NAT gateways ----------------------------------------------------------------


def internet_routes(
    graph: EgressGraph, subnet: Subnet
) -> tuple[RouteTable | None, tuple[Route, ...]]:
    """The subnet's route table and the routes that decide its internet egress (0.0.0.0/0, or
    the 0.0.0.0/1 + 128.0.0.0/1 pair); (None, ()) when the table is unread."""
    table = graph.get(subnet.route_table_id)
    if not isinstance(table, RouteTable):
        return None, ()
    return table, table.internet_routes()


def leaves_by_outbound_rules(graph: EgressGraph, cluster: Cluster) -> bool:
    """Whether any node pool (nodes or pods) egresses through load balancer outbound rules."""
    return any(
        path is not None and path.kind is EgressKind.LOAD_BALANCER
        for pool in graph.pools(cluster)
        for path in (graph.egress(pool), graph.pod_egress(pool))
    )


def workload_path(graph: EgressGraph, pool: NodePool) -> EgressPath:
    """Where a pool's workloads leave: the pod subnet's path when there is one, else the node's."""
    return graph.pod_egress(pool) or graph.egress(pool)


def pools_by_workload_nat(
    graph: EgressGraph,
) -> dict[ResourceId, list[tuple[Cluster, NodePool]]]:
    """NAT gateway → the pools whose workloads egress through it."""
    index: dict[ResourceId, list[tuple[Cluster, NodePool]]] = defaultdict(list)
    for cluster, pool in graph.node_pools():
        path = workload_path(graph, pool)
        if path.kind is EgressKind.NAT_GATEWAY and path.device_id:
            index[path.device_id].append((cluster, pool))
    return index


def scope_cluster(clusters: Iterable[Cluster]) -> Cluster | None:
    """The cluster whose policy thresholds judge a shared resource: the only cluster it serves;
    a resource serving none or several clusters is judged by the global thresholds."""
    distinct = {cluster.id.key: cluster for cluster in clusters}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def served_clusters(graph: EgressGraph, nat: NatGateway) -> list[Cluster]:
    return [graph.cluster_of(pool) for pool in graph.pools_behind_nat(nat)]


# -- pod subnets -----------------------------------------------------------------------------

POD_GAP_KINDS = frozenset({EgressKind.DEFAULT_OUTBOUND, EgressKind.NONE, EgressKind.LOAD_BALANCER})


def pod_subnet_missing_nat(
    graph: EgressGraph, cluster: Cluster, pool: NodePool
) -> tuple[Subnet, EgressPath, ResourceId | None] | None:
    """EGR002's condition: the pool's nodes egress by NAT (subnet or outbound type) but its
    separate pod subnet has no NAT gateway and no route to an appliance. Returns the pod
    subnet, its path and the node subnet's NAT gateway ID (when known)."""
    pod_subnet = graph.pod_subnet(pool)
    path = graph.pod_egress(pool)
    if not isinstance(pod_subnet, Subnet) or path is None or path.kind not in POD_GAP_KINDS:
        return None  # no pod subnet, an unread one, or one with explicit (or unknown) egress
    node_subnet = graph.node_subnet(pool)
    node_nat = graph.subnet_nat_gateway_id(node_subnet) if isinstance(node_subnet, Subnet) else None
    if node_nat is None and not cluster.is_nat_outbound:
        return None
    return pod_subnet, path, node_nat


def judged_paths(
    graph: EgressGraph, cluster: Cluster, pool: NodePool
) -> Iterator[tuple[str, EgressPath]]:
    """The node path (key "") and, when EGR002 does not already report it, the path of a
    separate pod subnet (key "pods"): pods there keep their own IP up to the internet
    ([AKS-PODSUB]; contested by [ACN-3204])."""
    yield "", graph.egress(pool)
    pod_path = graph.pod_egress(pool)
    if pod_path is not None and pod_subnet_missing_nat(graph, cluster, pool) is None:
        yield "pods", pod_path


# -- commands --------------------------------------------------------------------------------


def nodepool_command(verb: str, cluster: Cluster, pool: str) -> str:
    """`az aks nodepool <verb>` of a pool of the cluster: its name, or a placeholder such as
    `<new pool>`; options follow."""
    return (
        f"az aks nodepool {verb} -g {cluster.resource_group} --cluster-name {cluster.name} "
        f"-n {pool}"
    )


def subnet_update(subnet: Subnet, options: str) -> str:
    vnet = subnet.vnet_id.parts
    return (
        f"az network vnet subnet update -g {vnet.resource_group} --vnet-name {vnet.name} "
        f"-n {subnet.name} {options}"
    )


# The managed NAT gateway of SKU StandardV2, as `az aks update` sets it.
MANAGED_NAT_V2 = "--outbound-type managedNATGateway --outbound-type-sku StandardV2"

# What `az aks update --outbound-type` takes in Azure CLI 2.91.0; StandardV2 of the managed NAT
# gateway is chosen with --outbound-type-sku, new in that version; block needs aks-preview.
_OUTBOUND_TYPE_OPTIONS = {
    OutboundType.LOAD_BALANCER: "--outbound-type loadBalancer",
    OutboundType.MANAGED_NAT_GATEWAY: "--outbound-type managedNATGateway",
    OutboundType.USER_ASSIGNED_NAT_GATEWAY: "--outbound-type userAssignedNATGateway",
    OutboundType.USER_DEFINED_ROUTING: "--outbound-type userDefinedRouting",
    OutboundType.NONE: "--outbound-type none",
    OutboundType.MANAGED_NAT_GATEWAY_V2: MANAGED_NAT_V2,
}
NEW_CLI_OPTIONS = ("--outbound-type-sku", "--nat-gateway-managed-outbound-ipv6-count")


def outbound_type_option(value: str) -> str | None:
    """The `az aks update` options that set an outbound type, spelled as the API spells it;
    None for a type the Azure CLI cannot set."""
    outbound = OutboundType.parse(value)
    return None if outbound is None else _OUTBOUND_TYPE_OPTIONS.get(outbound)


def aks_update(cluster: Cluster, options: str) -> str:
    """`az aks update` of the cluster with `options`, as a command of a prose fix, followed by
    the Azure CLI it needs when an option is new in 2.91.0 (an older CLI answers
    'unrecognized arguments')."""
    update = command(f"az aks update -g {cluster.resource_group} -n {cluster.name} {options}")
    new = any(option in options for option in NEW_CLI_OPTIONS)
    return update + (" (Azure CLI 2.91.0 or later)" if new else "")


def name_or_id(resource_group: str, resource_id: ResourceId) -> str:
    """How a CLI argument names a resource: by name in the command's own resource group, else
    by full ID."""
    parts = resource_id.parts
    same = parts.resource_group.lower() == resource_group.lower()
    return parts.name if same else resource_id.text


def cluster_nat_ids(graph: EgressGraph, cluster: Cluster) -> list[ResourceId]:
    """NAT gateways on the cluster's node subnets, to suggest for the subnets that lack one."""
    return sorted(
        {
            nat_id
            for pool in graph.pools(cluster)
            if isinstance(subnet := graph.node_subnet(pool), Subnet)
            and (nat_id := graph.subnet_nat_gateway_id(subnet))
        }
    )


def cluster_appliance_ip(graph: EgressGraph, cluster: Cluster) -> str | None:
    """The next-hop IP another node subnet of the cluster routes 0.0.0.0/0 to, if any."""
    for pool in graph.pools(cluster):
        subnet = graph.node_subnet(pool)
        if isinstance(subnet, Subnet):
            _, routes = internet_routes(graph, subnet)
            for route in routes:
                if overrides_nat(route) and route.next_hop_ip:
                    return route.next_hop_ip
    return None


def explicit_egress_command(graph: EgressGraph, cluster: Cluster, subnet: Subnet) -> str:
    """The command that gives a subnet the cluster's intended explicit egress: a 0.0.0.0/0
    route to its firewall for userDefinedRouting, else the cluster's NAT gateway."""
    if cluster.outbound is OutboundType.USER_DEFINED_ROUTING:
        firewall_ip = cluster_appliance_ip(graph, cluster) or "<firewall private IP>"
        vnet = subnet.vnet_id.parts
        name = f"rt-{subnet.name}"
        return (
            f"az network route-table create -g {vnet.resource_group} -n {name} && "
            f"az network route-table route create -g {vnet.resource_group} --route-table-name "
            f"{name} -n default --address-prefix 0.0.0.0/0 --next-hop-type VirtualAppliance "
            f"--next-hop-ip-address {firewall_ip} && "
            + subnet_update(subnet, f"--route-table {name}")
        )
    nats = cluster_nat_ids(graph, cluster)
    return subnet_update(subnet, f"--nat-gateway {nats[0] if nats else '<NAT gateway ID>'}")


def explicit_egress_target(graph: EgressGraph, cluster: Cluster) -> str:
    """Where explicit_egress_command sends the subnet's traffic, for the fix's prose."""
    if cluster.outbound is OutboundType.USER_DEFINED_ROUTING:
        firewall_ip = cluster_appliance_ip(graph, cluster)
        return f"the addresses of the firewall at {firewall_ip or '<firewall private IP>'}"
    nats = cluster_nat_ids(graph, cluster)
    nat = graph.get(nats[0]) if nats else None
    if not isinstance(nat, NatGateway):
        return "the NAT gateway's addresses"
    cidrs, _ = graph.cidrs((*nat.public_ip_ids, *nat.public_ip_prefix_ids))
    return f"NAT gateway {nat.name}'s addresses" + (f" ({', '.join(cidrs)})" if cidrs else "")


def explicit_egress_fix(
    graph: EgressGraph,
    policy: Policy,
    cluster: Cluster,
    subnet: Subnet,
    path: EgressPath,
    also: str = "",
) -> str:
    """The fix that gives a subnet the cluster's explicit egress, saying which addresses it
    changes and what to update first; `also` is appended to the command (` && …`)."""
    current = "none" if path.kind is EgressKind.NONE else path.describe()
    change = (
        f"of subnet {subnet.id.qualified_name()}: from {current} to "
        f"{explicit_egress_target(graph, cluster)}"
    )
    return egress_change(policy, [cluster], change) + command(
        explicit_egress_command(graph, cluster, subnet) + also
    )
