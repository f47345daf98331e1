"""DRF005 cluster-network-changed: a cluster's outbound type or network plugin changed."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.graph.nodes import Cluster
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._drift import ATTRIBUTION_HELP, CHANGES_DOC, INTENDED, both_read
from rules._egress import aks_update, outbound_type_option
from rules._text import source_link, urls

OUTBOUND_TYPE = "outboundType"
NETWORK_PLUGIN = "networkPlugin"

HISTORY_HINTS = ("outboundtype", "networkplugin")


META = RuleMeta(
    id="DRF005",
    name="cluster-network-changed",
    title="Clusters keep the outbound type and network plugin of the baseline",
    severity=Severity.HIGH,
    description=(
        "A cluster's outbound type (how AKS provides egress) or network plugin (how pod "
        "traffic is translated) changed since the baseline."
    ),
    help_markdown=(
        "Changing the outbound type after creation is supported, and it changes the egress IP "
        "and disrupts existing connections: authorized IP ranges and destination allowlists "
        f"must be updated ({source_link('AKS-OT')}). A network plugin migration (kubenet or "
        "Azure CNI to Azure CNI Overlay) is one-way and reimages every node pool "
        f"({source_link('AKS-UPD')}); it changes which subnet governs pod egress.\n\n"
        "Severity is high for an outbound type change, medium for a network plugin or mode "
        "change. Values are compared case-insensitively; an unset value on either side is "
        "unknown, not a change.\n\n" + ATTRIBUTION_HELP
    ),
    remediation=(
        "Restore the outbound type (`az aks update -g <rg> -n <cluster> --outbound-type "
        "<previous type>`; a plugin migration cannot be undone), or refresh the baseline with "
        "--update-baseline if intended"
    ),
    sources=(*urls("AKS-OT", "AKS-UPD"), CHANGES_DOC),
    tags=("security", "networking", "egress", "drift"),
    precision="very-high",
    needs_baseline=True,
    history_hints=HISTORY_HINTS,
    other_severities="medium for a network plugin or mode change",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    comparison = ctx.compared()
    before, after = comparison.before, comparison.after
    for key, now in after.clusters.items():
        was = before.clusters.get(key)
        if was is None or not both_read(before, after, now.id):
            continue
        # An unset value on either side is unknown, not a change.
        then_type, now_type = was.outbound_type or "", now.outbound_type or ""
        if then_type and now_type and then_type.lower() != now_type.lower():
            yield _finding(
                now,
                OUTBOUND_TYPE,
                "outbound type",
                then_type,
                now_type,
                Severity.HIGH,
                f"{_restore(now, then_type)} Either way, update destination allowlists and "
                f"authorized IP ranges to the egress IPs in use. {INTENDED}.",
            )
        if was.network_plugin and now.network_plugin:
            then, current = _plugin(was), _plugin(now)
            if then.lower() != current.lower():
                yield _finding(
                    now,
                    NETWORK_PLUGIN,
                    "network plugin",
                    then,
                    current,
                    Severity.MEDIUM,
                    "A network plugin migration cannot be undone in place; confirm it was "
                    "planned and check which subnet now carries pod egress. "
                    f"{INTENDED}.",
                )


def _restore(cluster: Cluster, outbound_type: str) -> str:
    option = outbound_type_option(outbound_type)
    if option is None:
        return f"If it was not intended, restore {outbound_type} as AKS documents for that type."
    return "If it was not intended, restore it: " + aks_update(cluster, option) + "."


def _plugin(cluster: Cluster) -> str:
    return " ".join(p for p in (cluster.network_plugin, cluster.network_plugin_mode) if p)


def _finding(
    cluster: Cluster,
    key: str,
    what: str,
    then: str,
    current: str,
    severity: Severity,
    remediation: str,
) -> Finding:
    return META.finding(
        severity=severity,
        resource_id=cluster.id,
        message=f"Cluster {cluster.name} changed its {what} from {then} to {current}.",
        observed=current,
        expected=then,
        evidence=(cluster.id,),
        key=key,
        details={"property": key, "before": then, "after": current},
        remediation=remediation,
    )


RULE = Rule(META, check)
