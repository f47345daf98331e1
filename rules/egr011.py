"""EGR011 forced-tunnelling-unknown: routes learned over BGP make a pool's egress unknown."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import RouteTable, Subnet
from auditor.model import Cause, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import pod_label, pool_label, source_link, subnet_label, urls

META = RuleMeta(
    id="EGR011",
    name="forced-tunnelling-unknown",
    title="Node pools whose egress routes learned over BGP may decide are reported with why",
    severity=Severity.INFO,
    description=(
        "Routes learned over BGP from an ExpressRoute or BGP-enabled VPN gateway (in the "
        "subnet's own virtual network, or a hub's through a peering that uses remote gateways) "
        "reach the node pool's subnet: a 0.0.0.0/0 advertised from on-premises would take its "
        "internet traffic there instead of the NAT gateway. Resource Graph does not show "
        "learned routes, so the pool's egress is unknown."
    ),
    help_markdown=(
        "Azure picks a route by longest prefix, then a user-defined route over a BGP route "
        f"over a system route ({source_link('UDR')}). A default route learned over "
        "ExpressRoute or a VPN gateway (forced tunnelling, "
        f"{source_link('VPN-FT')}) overrides the NAT gateway ({source_link('NAT-TSC')}); a "
        "hub's gateway or Route Server reaches a spoke whose peering uses remote gateways "
        f"({source_link('ARS-FAQ')}). Whether on-premises advertises 0.0.0.0/0 is not in "
        "Resource Graph, so egress-audit reports the pool's egress as unknown rather than "
        "guess the NAT gateway, and says why with this finding.\n\n"
        "To make egress known: a user-defined 0.0.0.0/0 in the subnet's route table wins over "
        "a learned one of the same prefix, and a route table with BGP route propagation "
        "disabled keeps learned routes out of the subnet (on-premises routes too: give them "
        "user-defined routes if the subnet needs them)."
    ),
    remediation=(
        "Check the effective routes of a node's network interface: a 0.0.0.0/0 from the "
        "virtual network gateway means the traffic leaves on-premises"
    ),
    sources=urls("UDR", "VPN-FT", "NAT-TSC", "ARS-FAQ"),
    tags=("security", "networking", "egress", "routing", "forced-tunnelling"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster, pool in graph.node_pools():
        for key, path in (("", graph.egress(pool)), ("pods", graph.pod_egress(pool))):
            if path is None or path.cause is not Cause.FORCED_TUNNELLING:
                continue
            subnet = graph.get(path.subnet_id)
            if not isinstance(subnet, Subnet):
                continue
            whose = pod_label(cluster, pool) if key else pool_label(cluster, pool)
            yield META.finding(
                resource_id=pool.id,
                message=(
                    f"{whose} in subnet {subnet_label(subnet)}: egress unknown because "
                    f"{path.reason}."
                ),
                observed="egress unknown: routes learned over BGP reach the subnet",
                expected="a known egress path",
                evidence=(cluster.id, pool.id, subnet.id, *path.hop_ids),
                key=key,
                remediation=_remediation(graph, subnet),
            )


def _remediation(graph: EgressGraph, subnet: Subnet) -> str:
    check = META.remediation + ". "
    table = graph.get(subnet.route_table_id)
    if isinstance(table, RouteTable):
        return (
            check + "If the subnet must not learn the gateway's routes (on-premises routes then "
            "need user-defined routes): "
            + command(
                f"az network route-table update -g {table.resource_group} -n {table.name} "
                "--disable-bgp-route-propagation true"
            )
        )
    return check + (
        "If the subnet must not learn the gateway's routes, give it a route table with BGP "
        "route propagation disabled"
    )


RULE = Rule(META, check)
