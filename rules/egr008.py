"""EGR008 private-subnet-without-egress: a private subnet without explicit egress has none."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.graph.nodes import Subnet
from auditor.model import EgressKind, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import explicit_egress_fix, judged_paths
from rules._text import pod_label, pool_label, source_link, subnet_label, urls

META = RuleMeta(
    id="EGR008",
    name="private-subnet-without-egress",
    title="Node pools in private subnets have an explicit egress path",
    severity=Severity.CRITICAL,
    description=(
        "A node pool sits in a private subnet (defaultOutboundAccess false) with no NAT gateway, "
        "no 0.0.0.0/0 route to an appliance, no node public IPs and no load balancer outbound "
        "rules: it has no internet egress at all."
    ),
    help_markdown=(
        "A private subnet gives no implicit egress; VMs in it need an explicit method "
        f"({source_link('DOA-BLOG')}, {source_link('DOA')}). AKS nodes need outbound access to "
        f"required endpoints ({source_link('AKS-FQDN')}): without it nodes fail to provision "
        "(`OutboundConnFailVMExtensionError`), pull images or upgrade.\n\n"
        "Severity is info when the cluster's outbound type is `none` or `block`: a "
        f"network-isolated cluster has no egress by design ({source_link('AKS-OT')}). Pods in a "
        "separate pod subnet are judged too (key `pods`, one level lower because the docs are "
        "contested by [ACN-3204]); where the nodes egress by NAT, EGR002 reports them instead."
    ),
    remediation=(
        "Attach a NAT gateway (`az network vnet subnet update -g <vnet resource group> "
        "--vnet-name <vnet> -n <subnet> --nat-gateway <NAT gateway ID>`), or route 0.0.0.0/0 "
        "to the firewall, or adopt a network-isolated cluster"
    ),
    sources=urls("DOA-BLOG", "DOA", "AKS-FQDN", "AKS-OT"),
    tags=("reliability", "networking", "egress", "private-subnet"),
    precision="very-high",
    other_severities=(
        "high for pods in a subnet of their own; info for a network-isolated cluster "
        "(outbound type none or block)"
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster, pool in graph.node_pools():
        isolated = cluster.is_isolated
        for key, path in judged_paths(graph, cluster, pool):
            subnet = graph.get(path.subnet_id)
            # Only a subnet that really is private: an isolated cluster's NSG block on an
            # ordinary subnet is no private subnet.
            if (
                path.kind is not EgressKind.NONE
                or not isinstance(subnet, Subnet)
                or subnet.default_outbound_access is not False
            ):
                continue
            pods = key == "pods"
            severity = Severity.HIGH if pods else META.severity
            whose = pod_label(cluster, pool) if pods else pool_label(cluster, pool)
            yield META.finding(
                severity=Severity.INFO if isolated else severity,
                resource_id=pool.id,
                message=(
                    f"{whose} {'sit' if pods else 'sits'} in private subnet {subnet_label(subnet)} "
                    "(defaultOutboundAccess false) with no explicit egress method, so it has no "
                    "internet egress."
                    + (
                        f" The outbound type {cluster.outbound_type} makes that the intent."
                        if isolated
                        else ""
                    )
                    + (
                        " Docs contested: [ACN-3204] reports the node subnet deciding."
                        if pods
                        else ""
                    )
                ),
                observed="no internet egress",
                expected=(
                    "no egress (network-isolated)"
                    if isolated
                    else "a NAT gateway or a 0.0.0.0/0 route to a firewall"
                ),
                evidence=(cluster.id, pool.id, subnet.id),
                key=key,
                remediation=(
                    "Nothing to do for a network-isolated cluster. Otherwise: " if isolated else ""
                )
                + explicit_egress_fix(graph, ctx.policy, cluster, subnet, path),
            )


RULE = Rule(META, check)
