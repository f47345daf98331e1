"""EGR012 isolated-cluster-with-egress-path: a network-isolated cluster keeps a way out."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import OutboundType
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NodePool, Subnet
from auditor.model import EgressKind, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import aks_update, nodepool_command, subnet_update
from rules._text import pool_label, source_link, subnet_label, urls

CACHE = "cache"
# Paths by which a `none` cluster's nodes reach the internet [AKS-NIC].
OPEN = frozenset(
    {
        EgressKind.NAT_GATEWAY,
        EgressKind.NODE_PUBLIC_IP,
        EgressKind.DEFAULT_OUTBOUND,
        EgressKind.LOAD_BALANCING_RULES,
    }
)

META = RuleMeta(
    id="EGR012",
    name="isolated-cluster-with-egress-path",
    title="Network-isolated clusters have no egress path left, and can bootstrap without one",
    severity=Severity.MEDIUM,
    description=(
        "A cluster declares network isolation (outbound type none with its bootstrap artifacts "
        "from a private cache, or outbound type block), yet its node subnet still has a NAT "
        "gateway, node public IPs or default outbound access; or a block cluster has no "
        "artifact cache to bootstrap from."
    ),
    help_markdown=(
        "With outbound type `none` AKS sets up no egress and nodes follow the VM's default "
        "outbound behaviour; with `block` (preview) AKS adds NSG rules that deny internet "
        f"traffic ({source_link('AKS-NIC')}). A network-isolated cluster pulls its bootstrap "
        "artifacts from a private registry cache (`bootstrapProfile.artifactSource: Cache`) "
        f"({source_link('AKS-NI')}). So:\n\n"
        "- `none` with the cache declares isolation: a NAT gateway, node public IPs or default "
        "outbound access on the node subnet is a way out the cluster says it does not have "
        "(medium).\n"
        "- `block`: the NSG denies the internet whatever the subnet has; a NAT gateway or node "
        "public IPs left there are unused and open the moment the NSG rule goes (low).\n"
        "- `block` without the cache: nodes cannot reach the registry they bootstrap from "
        "(high, key `bootstrap`).\n\n"
        "`none` without the cache is an ordinary cluster whose egress the user builds: not "
        "judged here."
    ),
    remediation=(
        "Remove the NAT gateway from the node subnet and make it private (`az network vnet "
        "subnet update -g <vnet resource group> --vnet-name <vnet> -n <subnet> --remove "
        "natGateway --default-outbound-access false`)"
    ),
    sources=urls("AKS-NIC", "AKS-NI", "DOA"),
    tags=("security", "networking", "egress", "network-isolation"),
    precision="high",
    other_severities=(
        "low when outbound type block's NSG rules leave the way out unused; high when a block "
        "cluster has no artifact cache to bootstrap from"
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        cached = (cluster.bootstrap_artifact_source or "").lower() == CACHE
        blocked = cluster.outbound is OutboundType.BLOCK
        if blocked and not cached:
            yield _bootstrap(cluster)
        if not (blocked or (cluster.outbound is OutboundType.NONE and cached)):
            continue
        for pool in graph.pools(cluster):
            subnet = graph.node_subnet(pool)
            if not isinstance(subnet, Subnet):
                continue
            ways = _ways_out(graph, pool, subnet, blocked=blocked)
            if ways:
                yield _open(cluster, pool, subnet, ways, blocked=blocked)


def _ways_out(graph: EgressGraph, pool: NodePool, subnet: Subnet, *, blocked: bool) -> list[str]:
    if not blocked:
        path = graph.egress(pool)
        return [path.describe()] if path.kind in OPEN else []
    ways = []
    nat = graph.subnet_nat_gateway_id(subnet)
    if nat is not None:
        ways.append(f"NAT gateway {nat.name}")
    if pool.enable_node_public_ip:
        ways.append("node public IPs")
    return ways


def _open(
    cluster: Cluster, pool: NodePool, subnet: Subnet, ways: list[str], *, blocked: bool
) -> Finding:
    declared = (
        "outbound type block (NSG rules deny the internet)"
        if blocked
        else "outbound type none with bootstrap artifacts from a private cache"
    )
    consequence = (
        "they are unused while the NSG rule stands, and open egress the moment it goes"
        if blocked
        else "its nodes reach the internet the isolation says they cannot"
    )
    options = "--remove natGateway --default-outbound-access false"
    fixes = [command(subnet_update(subnet, options))]
    if pool.enable_node_public_ip:
        fixes.append(
            "replace the pool with one without node public IPs ("
            + command(nodepool_command("delete", cluster, pool.name))
            + " after adding its replacement)"
        )
    return META.finding(
        severity=Severity.LOW if blocked else META.severity,
        resource_id=pool.id,
        message=(
            f"{pool_label(cluster, pool)} declares network isolation ({declared}), yet subnet "
            f"{subnet_label(subnet)} gives it {', '.join(ways)}: {consequence}."
        ),
        observed=", ".join(ways),
        expected="no egress path on an isolated cluster's node subnet",
        evidence=(cluster.id, pool.id, subnet.id),
        remediation="Remove the way out: " + "; ".join(fixes),
    )


def _bootstrap(cluster: Cluster) -> Finding:
    source = cluster.bootstrap_artifact_source or "Direct (the default)"
    return META.finding(
        severity=Severity.HIGH,
        resource_id=cluster.id,
        message=(
            f"Cluster {cluster.name} has outbound type block, whose NSG rules deny the "
            f"internet, but takes its bootstrap artifacts from {source}: new nodes cannot "
            "reach the registry they bootstrap from."
        ),
        observed=f"bootstrapProfile.artifactSource {source}",
        expected="bootstrapProfile.artifactSource Cache",
        evidence=(cluster.id,),
        key="bootstrap",
        remediation=aks_update(
            cluster,
            "--bootstrap-artifact-source Cache --bootstrap-container-registry-resource-id "
            "<private container registry ID>",
        )
        + ", then reimage the nodes (the cache applies to new nodes only)",
    )


RULE = Rule(META, check)
