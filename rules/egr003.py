"""EGR003 nat-overrides-declared-lb-outbound: a NAT gateway silently replaces the load balancer."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import OutboundType
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NodePool, Subnet
from auditor.model import EgressKind, EgressPath, Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._egress import subnet_update
from rules._text import egress_change, pool_label, source_link, urls

META = RuleMeta(
    id="EGR003",
    name="nat-overrides-declared-lb-outbound",
    title="A loadBalancer-outbound cluster egresses through its load balancer, not a NAT gateway",
    severity=Severity.MEDIUM,
    description=(
        "The cluster's outbound type is loadBalancer, but a node pool's subnet has a NAT gateway, "
        "which takes precedence: the pool egresses from the NAT gateway's IPs, not from the "
        "load balancer's effective outbound IPs the cluster reports."
    ),
    help_markdown=(
        "A NAT gateway precedes load balancer outbound rules for outbound-originated flows "
        f"({source_link('NAT-OV')}, {source_link('NAT-DES')}). AKS documents attaching a NAT "
        "gateway to the node subnet as one way to move egress off the load balancer "
        f"({source_link('AKS-NAT')}), so it changes egress while `outboundType` still says "
        "`loadBalancer`. Allowlists and API server authorized IP ranges built from "
        "`loadBalancerProfile.effectiveOutboundIPs` are then wrong, and the load balancer's "
        "outbound IPs cost money without carrying traffic.\n\n"
        "Fix it by declaring what is true (`userAssignedNATGateway`), or by detaching the NAT "
        "gateway if the load balancer is the intended egress."
    ),
    remediation=(
        "Declare the NAT gateway as the outbound type "
        "(`az aks update -g <resource group> -n <cluster> --outbound-type "
        "userAssignedNATGateway`), or detach the NAT gateway "
        "(`az network vnet subnet update -g <vnet resource group> --vnet-name <vnet> "
        "-n <subnet> --remove natGateway`)"
    ),
    sources=urls("NAT-OV", "NAT-DES", "AKS-NAT"),
    tags=("security", "networking", "egress", "nat-gateway", "load-balancer"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if cluster.outbound is not OutboundType.LOAD_BALANCER:
            continue
        lb_ips = _load_balancer_ips(graph, cluster)
        for pool in graph.pools(cluster):
            path = graph.egress(pool)
            subnet = graph.node_subnet(pool)
            # Only a NAT gateway that really carries the traffic: an unread hop is unknown and a
            # 0.0.0.0/0 route to an appliance overrides both (EGR004 reports that).
            if path.kind is not EgressKind.NAT_GATEWAY or not isinstance(subnet, Subnet):
                continue
            yield META.finding(
                resource_id=pool.id,
                message=(
                    f"{pool_label(cluster, pool)} egresses through {path.describe()}, not through "
                    f"the load balancer outbound rules ({lb_ips}) the cluster's outbound type "
                    f"{cluster.outbound_type} declares: the NAT gateway on subnet "
                    f"{subnet.vnet_id.parts.name}/{subnet.name} takes precedence."
                ),
                observed=f"egress through NAT gateway {path.device_id}",
                expected="egress through the load balancer outbound rules, or a NAT outbound type",
                evidence=(cluster.id, pool.id, *path.hop_ids),
                remediation=_remediation(ctx.policy, cluster, pool, subnet, path, lb_ips),
            )


def _load_balancer_ips(graph: EgressGraph, cluster: Cluster) -> str:
    cidrs, unknown = graph.cidrs(graph.load_balancer_outbound(cluster).address_ids)
    text = ", ".join(cidrs) or "none listed"
    return f"{text}, and unread addresses" if unknown else text


def _remediation(
    policy: Policy, cluster: Cluster, pool: NodePool, subnet: Subnet, path: EgressPath, lb_ips: str
) -> str:
    # The AKS-managed VNet (no vnetSubnetID) takes the managed NAT gateway instead [AKS-NAT].
    target = "managedNATGateway" if pool.vnet_subnet_id is None else "userAssignedNATGateway"
    nat_ips = ", ".join(path.public_ips or ()) or "the NAT gateway's addresses"
    declare = (
        f"az aks update -g {cluster.resource_group} -n {cluster.name} --outbound-type {target}"
    )
    return (
        "Declare what the pool already does, so allowlists and authorized ranges built from the "
        f"outbound type are right: {command(declare)} (the pool keeps leaving from {nat_ips}). "
        "Or detach the NAT gateway so the pool leaves as declared: "
        + egress_change(policy, [cluster], f"of node pool {pool.name}: from {nat_ips} to {lb_ips}")
        + command(subnet_update(subnet, "--remove natGateway"))
    )


RULE = Rule(META, check)
