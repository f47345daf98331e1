"""EGR005 udr-outbound-without-default-route: userDefinedRouting needs the 0.0.0.0/0 route."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import OutboundType
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, Route, RouteTable, Subnet
from auditor.model import EgressPath, Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._egress import (
    cluster_appliance_ip,
    drops,
    explicit_egress_fix,
    internet_routes,
    overrides_nat,
)
from rules._text import egress_change, pool_label, source_link, subnet_label, urls

META = RuleMeta(
    id="EGR005",
    name="udr-outbound-without-default-route",
    title="Every node pool subnet of a userDefinedRouting cluster routes 0.0.0.0/0 to an appliance",
    severity=Severity.HIGH,
    description=(
        "The cluster's outbound type is userDefinedRouting, but a node pool's subnet has no "
        "route table, or its route table has no 0.0.0.0/0 route to a virtual appliance or the "
        "virtual network gateway; the pool's traffic bypasses the firewall."
    ),
    help_markdown=(
        "`userDefinedRouting` requires a route table on the subnet whose 0.0.0.0/0 route points "
        f"to a virtual appliance or the virtual network gateway ({source_link('AKS-UDR')}); AKS "
        "creates no outbound public IP. Without that route the pool falls through to default "
        f"outbound access, as an AKS maintainer confirmed ({source_link('GH-2710')}): an "
        f"implicit, changing IP that is being retired ({source_link('DOA')}), or no egress at "
        "all on a private subnet. Either way the traffic skips the firewall.\n\n"
        "A 0.0.0.0/0 route to next hop `None` is reported by EGR006 instead; an unread route "
        "table is unknown and not reported."
    ),
    remediation=(
        "az network route-table route create -g <route table resource group> "
        "--route-table-name <route table> -n default --address-prefix 0.0.0.0/0 "
        "--next-hop-type VirtualAppliance --next-hop-ip-address <firewall private IP>"
    ),
    sources=urls("AKS-UDR", "GH-2710", "DOA"),
    tags=("security", "networking", "egress", "route-table", "firewall"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if cluster.outbound is not OutboundType.USER_DEFINED_ROUTING:
            continue
        for pool in graph.pools(cluster):
            subnet = graph.node_subnet(pool)
            if not isinstance(subnet, Subnet):
                continue  # unknown, not missing
            table, routes = internet_routes(graph, subnet)
            if subnet.route_table_id and table is None:
                continue  # the route table is not in the snapshot
            if routes and all(
                overrides_nat(r) or drops(r) or r.next_hop_type is None for r in routes
            ):
                continue  # routed as required, a blackhole (EGR006), or an unknown next hop
            route = next((r for r in routes if not overrides_nat(r)), None)
            problem = _problem(table, route)
            yield META.finding(
                resource_id=pool.id,
                message=(
                    f"{pool_label(cluster, pool)} sits in subnet {subnet_label(subnet)}, which "
                    f"{problem}, although the cluster's outbound type is "
                    f"{cluster.outbound_type}. Its traffic leaves through "
                    f"{graph.egress(pool).describe()}."
                ),
                observed=problem,
                expected="a 0.0.0.0/0 route to VirtualAppliance or VirtualNetworkGateway",
                evidence=(cluster.id, pool.id, subnet.id, *((table.id,) if table else ())),
                remediation=_remediation(
                    graph, ctx.policy, cluster, subnet, table, graph.egress(pool)
                ),
            )


def _problem(table: RouteTable | None, route: Route | None) -> str:
    if table is None:
        return "has no route table"
    if route is None:
        return f"has route table {table.name} without a 0.0.0.0/0 route"
    return (
        f"routes 0.0.0.0/0 to next hop {route.next_hop_type} (route {route.name} of "
        f"{table.name}), not to an appliance or gateway"
    )


def _remediation(
    graph: EgressGraph,
    policy: Policy,
    cluster: Cluster,
    subnet: Subnet,
    table: RouteTable | None,
    path: EgressPath,
) -> str:
    if table is None:
        return explicit_egress_fix(graph, policy, cluster, subnet, path)
    current = path.describe()
    firewall_ip = cluster_appliance_ip(graph, cluster) or "<firewall private IP>"
    rt = table.id.parts
    return egress_change(
        policy,
        [cluster],
        f"of subnet {subnet_label(subnet)}: from {current} to the addresses of the firewall at "
        f"{firewall_ip}",
    ) + command(
        f"az network route-table route create -g {rt.resource_group} "
        f"--route-table-name {table.name} -n default --address-prefix 0.0.0.0/0 "
        f"--next-hop-type VirtualAppliance --next-hop-ip-address {firewall_ip}"
    )


RULE = Rule(META, check)
