"""EGR002 pod-subnet-missing-nat: pods in their own subnet leave by NAT like their nodes."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import cluster_nat_ids, pod_subnet_missing_nat, subnet_update
from rules._text import egress_change, pool_label, source_link, subnet_label, urls

META = RuleMeta(
    id="EGR002",
    name="pod-subnet-missing-nat",
    title="Pod subnets of node pools with NAT egress have the NAT gateway too",
    severity=Severity.MEDIUM,
    description=(
        "A node pool's nodes egress through a NAT gateway, but its separate pod subnet "
        "(Azure CNI pod subnet) has none, so pod traffic may leave from other IPs or not at all. "
        "Docs contested: a field report says the node subnet decides pod egress."
    ),
    help_markdown=(
        "With Azure CNI Pod Subnet (`podSubnetID`) pods keep their own IP for every destination "
        f"(no ip-masq-agent, {source_link('AKS-LEG')}), and the docs use a NAT gateway on the pod "
        f"subnet to fix the pods' source IP ({source_link('AKS-PODSUB')}). A NAT gateway is "
        f"attached per subnet ({source_link('NAT-OV')}), so a pod subnet without one falls "
        "through to load balancer outbound rules, default outbound access, or no egress at all, "
        "while the nodes leave from the NAT gateway's IPs.\n\n"
        "**Docs contested:** a user report says pod traffic was in fact governed by the node "
        f"subnet ({source_link('ACN-3204')}, closed without a maintainer answer). Verify on a "
        "live cluster; the rule stays medium until that is settled. Pod subnets that route "
        "0.0.0.0/0 to an appliance are not flagged: their egress is explicit."
    ),
    remediation=(
        "az network vnet subnet update -g <vnet resource group> --vnet-name <vnet> "
        "-n <pod subnet> --nat-gateway <NAT gateway ID of the node subnet>"
    ),
    sources=urls("AKS-LEG", "AKS-PODSUB", "NAT-OV", "ACN-3204"),
    tags=("security", "networking", "egress", "nat-gateway", "pod-subnet"),
    precision="medium",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster, pool in graph.node_pools():
        gap = pod_subnet_missing_nat(graph, cluster, pool)
        if gap is None:
            continue
        pod_subnet, path, node_nat = gap
        # The node subnet's NAT gateway, else one of another node subnet of the cluster.
        known = node_nat or next(iter(cluster_nat_ids(graph, cluster)), None)
        nat = known.text if known else "<NAT gateway ID>"
        yield META.finding(
            resource_id=pool.id,
            message=(
                f"{pool_label(cluster, pool)} runs its pods in subnet {subnet_label(pod_subnet)}, "
                "which has no NAT gateway, although its nodes egress through a NAT gateway "
                f"(outbound type {cluster.outbound_type}). Pod traffic leaves through "
                f"{path.describe()}. Docs contested: [ACN-3204] reports the node subnet deciding."
            ),
            observed=f"pod subnet {pod_subnet.id} has no NAT gateway",
            expected="the node subnet's NAT gateway on the pod subnet as well",
            evidence=(cluster.id, pool.id, pod_subnet.id, *((node_nat,) if node_nat else ())),
            remediation=egress_change(
                ctx.policy,
                [cluster],
                f"of the pods of node pool {pool.name}: from {path.describe()} to the node "
                "subnet's NAT gateway's addresses",
            )
            + command(subnet_update(pod_subnet, f"--nat-gateway {nat}")),
            details={"docs": "contested"},
        )


RULE = Rule(META, check)
