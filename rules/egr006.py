"""EGR006 default-route-blackhole: a node pool subnet drops all internet traffic."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import cluster_appliance_ip, drops, internet_routes
from rules._text import source_link, subnet_label, urls

META = RuleMeta(
    id="EGR006",
    name="default-route-blackhole",
    title="No node pool subnet routes 0.0.0.0/0 to next hop None",
    severity=Severity.HIGH,
    description=(
        "A node pool subnet's route table sends 0.0.0.0/0 to next hop None, which drops every "
        "packet bound for the internet, including what nodes need to work."
    ),
    help_markdown=(
        f"A route with next hop `None` drops the traffic ({source_link('UDR')}). AKS nodes need "
        f"outbound access to a set of required endpoints ({source_link('AKS-FQDN')}) unless the "
        f"cluster is network-isolated by design ({source_link('AKS-OT')}): node provisioning, "
        "image pulls and upgrades then fail.\n\n"
        "Severity is info when every cluster using the subnet has outbound type `none` or "
        "`block`, where no egress is the intent."
    ),
    remediation=(
        "Point the route at the firewall (`az network route-table route update -g <route "
        "table resource group> --route-table-name <route table> -n <route> --next-hop-type "
        "VirtualAppliance --next-hop-ip-address <firewall private IP>`), or delete it"
    ),
    sources=urls("UDR", "AKS-FQDN", "AKS-OT"),
    tags=("reliability", "networking", "egress", "route-table"),
    precision="very-high",
    other_severities=(
        "info when every cluster on the subnet is network-isolated (outbound type none or block)"
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for subnet, users in graph.pool_subnets():
        table, routes = internet_routes(graph, subnet)  # an unread table reports nothing
        route = next((r for r in routes if drops(r)), None)
        if table is None or route is None:
            continue
        clusters = sorted({c.id.key: c for c, _ in users}.values(), key=lambda c: c.id)
        isolated = all(cluster.is_isolated for cluster in clusters)
        rt = table.id.parts
        firewall_ip = _firewall_ip(graph, clusters)
        yield META.finding(
            severity=Severity.INFO if isolated else META.severity,
            resource_id=subnet.id,
            message=(
                f"Subnet {subnet_label(subnet)} routes 0.0.0.0/0 to next hop None (route "
                f"{route.name} of route table {table.name}): internet traffic of node pools "
                f"{', '.join(f'{c.name}/{p.name}' for c, p in users)} is dropped."
                + (
                    " Every cluster using it is network-isolated by design (outbound type "
                    "none or block)."
                    if isolated
                    else ""
                )
            ),
            observed=f"0.0.0.0/0 → None ({route.name})",
            expected="0.0.0.0/0 to a firewall or appliance, or no such route",
            evidence=(subnet.id, table.id, *(pool.id for _, pool in users)),
            remediation=(
                "Point the route at the firewall ("
                + command(
                    f"az network route-table route update -g {rt.resource_group} "
                    f"--route-table-name {table.name} -n {route.name} --next-hop-type "
                    f"VirtualAppliance --next-hop-ip-address {firewall_ip}"
                )
                + "), or delete it ("
                + command(
                    f"az network route-table route delete -g {rt.resource_group} "
                    f"--route-table-name {table.name} -n {route.name}"
                )
                + ")"
            ),
        )


def _firewall_ip(graph: EgressGraph, clusters: list[Cluster]) -> str:
    for cluster in clusters:
        found = cluster_appliance_ip(graph, cluster)
        if found:
            return found
    return "<firewall private IP>"


RULE = Rule(META, check)
