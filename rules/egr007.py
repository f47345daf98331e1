"""EGR007 implicit-default-outbound-access: a node pool egresses from an implicit, changing IP."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.graph.nodes import Subnet
from auditor.model import EgressKind, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import explicit_egress_fix, judged_paths, subnet_update
from rules._text import pod_label, pool_label, source_link, subnet_label, urls

META = RuleMeta(
    id="EGR007",
    name="implicit-default-outbound-access",
    title="Node pools egress through an explicit method, not default outbound access",
    severity=Severity.HIGH,
    description=(
        "A node pool's subnet has no NAT gateway, no 0.0.0.0/0 route to an appliance, no node "
        "public IPs and no load balancer outbound rules, and is not private: its traffic leaves "
        "through default outbound access, an implicit Microsoft-owned IP that can change."
    ),
    help_markdown=(
        "Default outbound access is used only when a subnet has no explicit egress method; its "
        "IP is owned by Microsoft, can change at any time and is not meant for production "
        f"({source_link('DOA')}, {source_link('LB-OUT')}). New virtual networks get private "
        f"subnets without it from 31 March 2026 ({source_link('NAT-OV')}), so the same setup "
        "built again stops working. Destinations cannot allowlist it.\n\n"
        "Pods in a separate pod subnet (Azure CNI pod subnet) keep their own IP up to the "
        "internet, so their subnet is judged too (key `pods`, medium: the docs are contested "
        "by [ACN-3204]); where the nodes egress by NAT, EGR002 reports the pod subnet instead."
    ),
    remediation=(
        "az network vnet subnet update -g <vnet resource group> --vnet-name <vnet> "
        "-n <subnet> --nat-gateway <NAT gateway ID> --default-outbound-access false"
    ),
    sources=urls("DOA", "LB-OUT", "NAT-OV"),
    tags=("security", "networking", "egress", "default-outbound-access"),
    precision="high",
    other_severities="medium for pods in a subnet of their own",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster, pool in graph.node_pools():
        for key, path in judged_paths(graph, cluster, pool):
            subnet = graph.get(path.subnet_id)
            if path.kind is not EgressKind.DEFAULT_OUTBOUND or not isinstance(subnet, Subnet):
                continue
            pods = key == "pods"
            whose = pod_label(cluster, pool) if pods else pool_label(cluster, pool)
            yield META.finding(
                severity=Severity.MEDIUM if pods else META.severity,
                resource_id=pool.id,
                message=(
                    f"{whose} {'egress' if pods else 'egresses'} from subnet "
                    f"{subnet_label(subnet)} through {path.describe()}: it has no explicit "
                    f"egress method and is not private (outbound type {cluster.outbound_type})."
                    + (
                        " Docs contested: [ACN-3204] reports the node subnet deciding."
                        if pods
                        else ""
                    )
                ),
                observed="default outbound access",
                expected="a NAT gateway or 0.0.0.0/0 route to a firewall, and a private subnet",
                evidence=(cluster.id, pool.id, subnet.id),
                key=key,
                remediation=explicit_egress_fix(
                    graph,
                    ctx.policy,
                    cluster,
                    subnet,
                    path,
                    also=" && " + subnet_update(subnet, "--default-outbound-access false"),
                ),
            )


RULE = Rule(META, check)
