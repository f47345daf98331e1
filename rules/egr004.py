"""EGR004 udr-overrides-nat: a 0.0.0.0/0 route to an appliance makes a subnet's NAT gateway idle."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from auditor.enums import NextHopType
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NatGateway, NodePool
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Network, Policy
from rules._egress import internet_routes, overrides_nat
from rules._text import egress_change, source_link, subnet_label, urls

META = RuleMeta(
    id="EGR004",
    name="udr-overrides-nat",
    title="No 0.0.0.0/0 route to an appliance or gateway bypasses a node pool subnet's NAT gateway",
    severity=Severity.MEDIUM,
    description=(
        "A node pool subnet has a NAT gateway and a route table that sends 0.0.0.0/0 to a "
        "virtual appliance or the virtual network gateway; the route wins, so the NAT gateway "
        "carries no traffic and its IPs are not the subnet's egress IPs."
    ),
    help_markdown=(
        "A user-defined 0.0.0.0/0 route to a virtual appliance or virtual network gateway "
        "overrides the subnet's NAT gateway; to restore NAT egress the route must be removed "
        f"({source_link('NAT-OV')}, {source_link('NAT-TSC')}). The NAT gateway then costs money "
        "and its IPs mislead whoever builds allowlists from them. If the appliance is a "
        "firewall, the documented pattern is the NAT gateway on the firewall's subnet "
        f"({source_link('FW-NAT')}).\n\n"
        "Severity is high when destinations allowlist the NAT gateway's addresses: the policy's "
        "`allowed_egress` of a cluster using the subnet, or the cluster's API server authorized "
        "IP ranges, cover one of them."
    ),
    remediation=(
        "Delete the route (`az network route-table route delete -g <route table resource "
        "group> --route-table-name <route table> -n <route>`), or move the NAT gateway to the "
        "firewall's subnet"
    ),
    sources=urls("NAT-OV", "NAT-TSC", "FW-NAT"),
    tags=("security", "networking", "egress", "nat-gateway", "route-table"),
    precision="high",
    other_severities=(
        "high when a cluster on the subnet allowlists the NAT gateway's addresses (in its "
        "policy allowed_egress or its API server authorized IP ranges)"
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for subnet, users in graph.pool_subnets():
        nat_id = graph.subnet_nat_gateway_id(subnet)
        if not nat_id:
            continue
        table, routes = internet_routes(graph, subnet)  # an unread table reports nothing
        # One route to an appliance or gateway for the internet, or for half of it (a
        # 0.0.0.0/1 + 128.0.0.0/1 split), takes traffic past the NAT gateway.
        route = next((r for r in routes if overrides_nat(r)), None)
        if table is None or route is None:
            continue
        nat = graph.get(nat_id)
        nat_cidrs = _nat_cidrs(graph, nat) if isinstance(nat, NatGateway) else ()
        allowlisted = _allowlisted(nat_cidrs, [cluster for cluster, _ in users], policy)
        target = (
            "the virtual network gateway"
            if route.next_hop_type is NextHopType.VIRTUAL_NETWORK_GATEWAY
            else f"virtual appliance {route.hop_text}"
        )
        rt = table.id.parts
        yield META.finding(
            severity=Severity.HIGH if allowlisted else META.severity,
            resource_id=subnet.id,
            message=(
                f"Subnet {subnet_label(subnet)} has NAT gateway {nat_id.parts.name}, but "
                f"route {route.name} of route table {table.name} sends 0.0.0.0/0 to {target}, "
                f"which takes precedence: node pools {_pool_names(users)} do not egress from the "
                f"NAT gateway's addresses ({', '.join(nat_cidrs) or 'unknown'})."
                + (
                    f" Destinations allowlist them: {', '.join(allowlisted)}."
                    if allowlisted
                    else ""
                )
            ),
            observed=f"0.0.0.0/0 → {route.next_hop_type} {route.hop_text}".rstrip(),
            expected="no 0.0.0.0/0 route to an appliance on a subnet with a NAT gateway",
            evidence=(subnet.id, table.id, nat_id, *(pool.id for _, pool in users)),
            remediation=egress_change(
                policy,
                [cluster for cluster, _ in users],
                f"of subnet {subnet_label(subnet)}: from {target}'s to NAT gateway "
                f"{nat_id.name}'s ({', '.join(nat_cidrs) or 'unknown'})",
            )
            + "To make the NAT gateway the egress, delete the route: "
            + command(
                f"az network route-table route delete -g {rt.resource_group} "
                f"--route-table-name {table.name} -n {route.name}"
            )
            + ". Or, if the appliance must inspect the traffic, detach NAT gateway "
            f"{nat_id.name} from this subnet and give the appliance's subnet a NAT gateway "
            "([FW-NAT])",
        )


def _nat_cidrs(graph: EgressGraph, nat: NatGateway) -> tuple[str, ...]:
    cidrs, _ = graph.cidrs((*nat.public_ip_ids, *nat.public_ip_prefix_ids))
    return cidrs


def _allowlisted(nat_cidrs: tuple[str, ...], clusters: list[Cluster], policy: Policy) -> list[str]:
    """The allowlist entries (policy allowed_egress, API server authorized ranges) that cover a
    NAT gateway address."""
    hits: dict[str, None] = {}
    networks = [ipaddress.ip_network(cidr, strict=False) for cidr in nat_cidrs]
    for cluster in sorted({c.id.key: c for c in clusters}.values(), key=lambda c: c.id):
        lists: list[tuple[str, Network]] = [
            (f"allowed_egress {net}", net)
            for entry in policy.for_cluster(cluster)
            for net in entry.allowed_egress or ()
        ]
        access = cluster.api_server_access
        for text in access.authorized_ip_ranges if access else ():
            try:
                lists.append(
                    (f"{cluster.name} authorized range {text}", ipaddress.ip_network(text, False))
                )
            except ValueError:
                continue
        for label, allowed in lists:
            if any(net.version == allowed.version and net.overlaps(allowed) for net in networks):
                hits[label] = None
    return list(hits)


def _pool_names(users: Sequence[tuple[Cluster, NodePool]]) -> str:
    return ", ".join(f"{cluster.name}/{pool.name}" for cluster, pool in users)


RULE = Rule(META, check)
