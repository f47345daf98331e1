"""LIFE001 cluster-or-pool-stopped: a stopped cluster or node pool is stated, not judged."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import nodepool_command
from rules._text import pool_label, source_link, urls

META = RuleMeta(
    id="LIFE001",
    name="cluster-or-pool-stopped",
    title="Clusters and node pools are running",
    severity=Severity.INFO,
    description=(
        "The cluster (or one of its node pools) is stopped: it runs no nodes, so its egress "
        "carries no traffic now, and its API server IP may change when it starts again."
    ),
    help_markdown=(
        "A stopped cluster (`powerState.code: Stopped`) can only be started or deleted; AKS "
        "keeps its state for up to 12 months, and the API server's IP may change when it is "
        f"started again ({source_link('AKS-STOP')}). Node pools have their own power state "
        f"({source_link('SDK')}).\n\n"
        "The capacity rules do not judge stopped clusters and count no nodes for stopped "
        "pools (LB002): this finding states why. It is reported once per stopped cluster, or "
        "once per stopped pool of a running cluster."
    ),
    remediation="az aks start -g <resource group> -n <cluster>",
    sources=urls("AKS-STOP", "SDK"),
    tags=("reliability", "lifecycle"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if cluster.is_stopped:
            yield META.finding(
                resource_id=cluster.id,
                message=(
                    f"Cluster {cluster.name} is stopped: its node pools run no nodes and its "
                    "API server IP may change when it starts."
                ),
                observed="powerState=Stopped",
                expected="powerState=Running",
                evidence=(cluster.id,),
                remediation=f"az aks start -g {cluster.resource_group} -n {cluster.name}",
            )
            continue
        for pool in graph.pools(cluster):
            if not pool.is_stopped:
                continue
            yield META.finding(
                resource_id=pool.id,
                message=f"{pool_label(cluster, pool)} is stopped: it runs no nodes.",
                observed="powerState=Stopped",
                expected="powerState=Running",
                evidence=(cluster.id, pool.id),
                remediation=nodepool_command("start", cluster, pool.name),
            )


RULE = Rule(META, check)
