"""NET001 kubenet: kubenet retires on 31 March 2028; move to Azure CNI Overlay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from auditor.enums import NetworkPlugin
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import source_link, urls

RETIREMENT = dt.date(2028, 3, 31)  # [AKS-KUBENET], [GH-4859]
CRITICAL_WINDOW = dt.timedelta(days=183)  # "critical within 6 months" of retirement

META = RuleMeta(
    id="NET001",
    name="kubenet",
    title="Clusters use Azure CNI, not the retiring kubenet network plugin",
    severity=Severity.HIGH,
    description=(
        "The cluster uses the kubenet network plugin, which Azure retires on 31 March 2028; "
        "it depends on a route table, caps the cluster at 400 nodes and must be migrated."
    ),
    help_markdown=(
        f"Kubenet is retired on **31 March 2028** ({source_link('GH-4859')}, "
        f"{source_link('AKS-KUBENET')}). It NATs pods to the node IP through a route table that "
        "AKS maintains, which limits a cluster to 400 nodes. The migration to Azure CNI Overlay "
        f"is one-way and reimages all node pools at once ({source_link('AKS-UPD')}), so plan it "
        "before the date.\n\nSeverity becomes critical within six months of the retirement date "
        "(judged against the day the estate was read)."
    ),
    remediation=(
        "az aks update -g <resource group> -n <cluster> --network-plugin azure "
        "--network-plugin-mode overlay"
    ),
    sources=urls("GH-4859", "AKS-KUBENET", "AKS-UPD"),
    tags=("security", "networking", "lifecycle", "kubenet"),
    precision="very-high",
    other_severities=(
        "critical within six months of kubenet's retirement on 31 March 2028 (judged "
        "against the day the estate was read)"
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    near = graph.as_of >= RETIREMENT - CRITICAL_WINDOW
    for cluster in graph.clusters():
        if cluster.plugin is not NetworkPlugin.KUBENET:
            continue
        yield META.finding(
            severity=Severity.CRITICAL if near else META.severity,
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} uses the kubenet network plugin, which retires on "
                f"{RETIREMENT.isoformat()}."
            ),
            observed="networkPlugin=kubenet",
            expected="networkPlugin=azure with networkPluginMode=overlay",
            evidence=(cluster.id,),
            remediation=(
                f"az aks update -g {cluster.resource_group} -n {cluster.name} "
                "--network-plugin azure --network-plugin-mode overlay"
            ),
        )


RULE = Rule(META, check)
