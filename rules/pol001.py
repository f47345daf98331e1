"""POL001 policy-outbound-type-not-allowed: the outbound type is one the policy allows."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.graph.nodes import Cluster
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import aks_update, outbound_type_option
from rules._text import source_link, urls

META = RuleMeta(
    id="POL001",
    name="policy-outbound-type-not-allowed",
    title="Each cluster's outbound type is one its policy entry allows",
    severity=Severity.MEDIUM,
    description=(
        "Policy-driven: a cluster entry of the policy file lists allowed_outbound_types, and "
        "the cluster's outboundType is not among them."
    ),
    help_markdown=(
        "The policy file declares, per cluster selector, which outbound types a cluster may "
        "use (`allowed_outbound_types`, e.g. only `userAssignedNATGateway` for clusters whose "
        "egress IPs are allowlisted by a payment provider). The outbound type decides which "
        f"device and which public IPs the cluster's traffic leaves from ({source_link('AKS-OT')}); "
        "a cluster created or migrated to another type leaves from other IPs.\n\n"
        "The rule runs only for clusters that a policy entry with `allowed_outbound_types` "
        "matches; when several such entries match, the cluster must satisfy each of them. "
        "The comparison ignores case. The finding points at the policy line that sets the "
        "list.\n\n"
        "Migrating the outbound type after creation is supported but changes the egress IP "
        "and disrupts existing connections; update API server authorized ranges and "
        f"destination allowlists first ({source_link('AKS-OT')})."
    ),
    remediation="az aks update -g <resource group> -n <cluster> --outbound-type <allowed type>",
    sources=urls("AKS-OT"),
    tags=("security", "networking", "egress", "policy"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for cluster in graph.clusters():
        value = cluster.outbound_type
        if value is None:
            continue  # not read: unknown, not wrong
        for entry in policy.for_cluster(cluster):
            allowed = entry.allowed_outbound_types
            if allowed is None or value.lower() in {a.lower() for a in allowed}:
                continue
            yield META.finding(
                resource_id=cluster.id,
                message=(
                    f"Cluster {cluster.name} has outbound type {value}, which its policy "
                    f"entry does not allow (allowed: {', '.join(allowed) or 'none'})."
                ),
                observed=f"outboundType={value}",
                expected=f"outboundType in {', '.join(allowed) or 'nothing'}",
                evidence=(cluster.id,),
                location=entry.outbound_types_location or entry.location,
                remediation=_remediation(cluster, allowed),
                details={"allowedOutboundTypes": ", ".join(allowed)},
            )
            break  # one finding per cluster: the first entry it breaks


def _remediation(cluster: Cluster, allowed: tuple[str, ...]) -> str:
    """The first allowed type the Azure CLI can set, in the API's spelling."""
    option = next((o for o in map(outbound_type_option, allowed) if o is not None), None)
    if option is None:
        listed = ", ".join(allowed) or "none"
        return (
            f"Change the outbound type to one the policy allows ({listed}) as AKS documents "
            "for that type (Azure CLI 2.91.0 cannot set it), or correct the policy entry"
        )
    return (
        "Update authorized IP ranges and destination allowlists for the new egress IPs, then "
        + aks_update(cluster, option)
    )


RULE = Rule(META, check)
