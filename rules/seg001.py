"""SEG001 static-egress-gateway-prefix-size: a gateway pool's node count does not fit its
public IP prefix."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.nodes import Cluster
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.wording import counted
from rules._egress import nodepool_command
from rules._text import source_link, urls

# [AKS-SEG]: "at least 2 nodes are required for high availability".
MIN_NODES = 2

META = RuleMeta(
    id="SEG001",
    name="static-egress-gateway-prefix-size",
    title="Static egress gateway pools fit their public IP prefix and run two nodes",
    severity=Severity.MEDIUM,
    description=(
        "A static egress gateway node pool has more nodes than its public IP prefix has "
        "addresses (each gateway node takes one), or fewer than two nodes, so one node's loss "
        "stops the egress of every pod that uses the gateway."
    ),
    help_markdown=(
        "Each node of a gateway pool gets one address of the pool's public IP prefix, so the "
        "prefix size caps the pool: /31 holds 2 nodes, /30 4, /29 8, /28 16 "
        f"({source_link('SDK')}, {source_link('AKS-SEG')}); the size is "
        "`gatewayProfile.publicIPPrefixSize`, 28–31, default 31. AKS asks for at least 2 "
        "gateway nodes for high availability, and gateway pools do not autoscale "
        f"({source_link('AKS-SEG')}).\n\n"
        "A pool over its prefix is medium; a single-node pool is low (key `availability`)."
    ),
    remediation=(
        "az aks nodepool scale -g <resource group> --cluster-name <cluster> -n <gateway pool> "
        "--node-count 2"
    ),
    sources=urls("SDK", "AKS-SEG"),
    tags=("reliability", "networking", "egress", "static-egress-gateway"),
    precision="high",
    other_severities="low for a single-node gateway pool",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster, pool in graph.node_pools():
        if not pool.is_gateway or pool.count is None:
            continue
        size = pool.gateway_prefix_length
        capacity = 2 ** (32 - size)
        scale = nodepool_command("scale", cluster, pool.name) + " --node-count"
        if pool.count > capacity:
            yield META.finding(
                resource_id=pool.id,
                message=(
                    f"Gateway pool {pool.name} of cluster {cluster.name} runs {pool.count} nodes, "
                    f"but its /{size} public IP prefix holds {capacity} addresses: "
                    f"{counted(pool.count - capacity, 'node')} without an egress address."
                ),
                observed=f"{pool.count} nodes, /{size} prefix ({capacity} addresses)",
                expected=f"at most {capacity} nodes",
                evidence=(cluster.id, pool.id),
                key="capacity",
                remediation=_larger_pool(cluster, pool.count) or command(f"{scale} {capacity}"),
                details={"nodes": str(pool.count), "prefixSize": str(size)},
            )
        elif pool.count < MIN_NODES:
            yield META.finding(
                severity=Severity.LOW,
                resource_id=pool.id,
                message=(
                    f"Gateway pool {pool.name} of cluster {cluster.name} runs {pool.count} "
                    "node: losing it stops the egress of every pod that uses the gateway."
                ),
                observed=f"{pool.count} node",
                expected=f"at least {MIN_NODES} nodes",
                evidence=(cluster.id, pool.id),
                key="availability",
                remediation=command(f"{scale} {MIN_NODES}"),
            )


def _larger_pool(cluster: Cluster, count: int) -> str:
    """A gateway pool whose prefix holds `count` nodes, or "" beyond the largest (/28)."""
    fitting = [size for size in (31, 30, 29, 28) if 2 ** (32 - size) >= count]
    if not fitting:
        return ""
    return (
        "Replace the pool with one whose prefix holds its nodes (Azure CLI 2.75.0 or later: "
        + command(
            nodepool_command("add", cluster, "<new gateway pool>")
            + f" --mode Gateway --node-count {count} --gateway-prefix-size {fitting[0]}"
        )
        + "), then point the StaticGatewayConfigurations at it: its prefix, and so the "
        "annotated pods' egress addresses, are new"
    )


RULE = Rule(META, check)
