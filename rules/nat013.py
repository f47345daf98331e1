"""NAT013 managed-nat-timeout-mismatch: the managed NAT gateway enforces another idle timeout
than its cluster's natGatewayProfile declares."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.graph.managed import managed_nat_timeout
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import source_link, urls

META = RuleMeta(
    id="NAT013",
    name="managed-nat-timeout-mismatch",
    title="An AKS-managed NAT gateway enforces the idle timeout its cluster declares",
    severity=Severity.LOW,
    description=(
        "The AKS-managed NAT gateway's own idle timeout differs from the cluster's "
        "natGatewayProfile: Azure applies the gateway's value to the traffic, and AKS sets the "
        "profile's value again on its next update of the cluster."
    ),
    help_markdown=(
        "AKS creates the managed NAT gateway in the node resource group and sets its idle "
        f"timeout from `natGatewayProfile.idleTimeoutInMinutes` ({source_link('AKS-NAT')}). "
        "Resources in the node resource group are AKS's to manage: a change made to them "
        f"directly is unsupported and can be reverted ({source_link('AKS-FAQ')}). When the two "
        "values differ, the gateway's is what idle flows meet today, so egress-audit judges "
        "NAT006 and NAT007 on it, and reports the difference here: the timeout will change "
        "when AKS next reconciles the cluster.\n\n"
        "Severity is low: nothing is broken yet, but the timeout workloads rely on is not the "
        "one the cluster declares."
    ),
    remediation=(
        "az aks update -g <resource group> -n <cluster> --nat-gateway-idle-timeout <minutes>"
    ),
    sources=urls("AKS-NAT", "AKS-FAQ"),
    tags=("reliability", "networking", "nat-gateway", "idle-timeout"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        timeout = managed_nat_timeout(graph, cluster)
        if not timeout.mismatch:
            continue
        names = ", ".join(n.name for n in timeout.gateways)
        declared = timeout.declared_minutes
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name}'s managed NAT gateway {names} drops idle flows after "
                f"{timeout.minutes} minutes, but its natGatewayProfile declares {declared}"
                + (" (the default)" if timeout.declared is None else "")
                + f": Azure enforces {timeout.minutes} today, and AKS sets {declared} again on "
                "its next update of the cluster."
            ),
            observed=f"NAT gateway idleTimeoutInMinutes={timeout.minutes}",
            expected=f"natGatewayProfile.idleTimeoutInMinutes={declared}",
            evidence=(cluster.id, *(n.id for n in timeout.gateways)),
            details={"enforced": str(timeout.minutes), "declared": str(declared)},
            remediation=(
                "Declare the timeout the workloads need on the cluster, so AKS applies it to "
                f"the gateway: `az aks update -g {cluster.resource_group} -n {cluster.name} "
                f"--nat-gateway-idle-timeout {timeout.minutes}` keeps today's "
                f"{timeout.minutes} minutes (or give {declared} to return to the declared value)"
            ),
        )


RULE = Rule(META, check)
