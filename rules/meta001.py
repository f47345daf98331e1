"""META001 outbound-type-unknown-value: the outbound type is one of the stable API's values."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import OutboundType
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import source_link, urls

# The stable API's OutboundType enum [SDK] (azure-mgmt-containerservice 41.8.0).
STABLE_OUTBOUND_TYPES = tuple(t.value for t in OutboundType if not t.is_preview)

META = RuleMeta(
    id="META001",
    name="outbound-type-unknown-value",
    title="The cluster's outbound type is a value of the stable AKS API",
    severity=Severity.INFO,
    description=(
        "The cluster's outboundType is not in the stable API's enum (a preview value such as "
        "managedNATGatewayV2 or block, or one egress-audit does not know): preview behaviour "
        "can change, and rules keyed on the outbound type may not judge it."
    ),
    help_markdown=(
        "The stable AKS API knows the outbound types `loadBalancer`, `userDefinedRouting`, "
        f"`managedNATGateway`, `userAssignedNATGateway` and `none` ({source_link('SDK')}). "
        "`managedNATGatewayV2` and `block` are preview values "
        f"({source_link('AKS-OT')}, {source_link('AKS-NAT')}); the field is an open enum, so "
        "newer values can appear at any time.\n\n"
        "egress-audit still follows every node pool's subnet to its effective egress, but "
        "rules that depend on what the outbound type promises skip a value they do not know. "
        "Review the cluster by hand and check that egress-audit is up to date."
    ),
    remediation=(
        "az aks show -g <resource group> -n <cluster> --query networkProfile.outboundType"
    ),
    sources=urls("SDK", "AKS-OT", "AKS-NAT"),
    tags=("reliability", "networking", "egress"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        value, known = cluster.outbound_type, cluster.outbound
        if value is None or (known is not None and not known.is_preview):
            continue
        kind = "a preview value" if known is not None else "a value egress-audit does not know"
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} has outbound type {value}, {kind}, outside the stable "
                "API's enum."
            ),
            observed=f"outboundType={value}",
            expected=f"one of {', '.join(STABLE_OUTBOUND_TYPES)}",
            evidence=(cluster.id,),
            remediation=(
                f"az aks show -g {cluster.resource_group} -n {cluster.name} "
                "--query networkProfile.outboundType"
            ),
        )


RULE = Rule(META, check)
