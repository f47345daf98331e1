"""NAT011 managed-nat-single-ip-large-cluster: a large cluster behind one managed NAT IP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.fixtext import command
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.wording import counted
from rules._config import require_positive
from rules._nodes import nodes
from rules._text import egress_change, source_link, urls


@dataclass(frozen=True, slots=True)
class Config:
    """NAT011 thresholds, overridable under `rules: NAT011:` in the policy file."""

    # [AKS-LARGE]: "a cluster with 100 nodes and thousands of pods might be considered large";
    # the nodes counted are each pool's autoscaler maximum, else its count.
    large_cluster_nodes: int = 100
    # [AKS-LARGE]: "Use Managed NAT for cluster egress with at least two public IPs".
    min_outbound_ips: int = 2

    def __post_init__(self) -> None:
        require_positive(self, "large_cluster_nodes", "min_outbound_ips")


META = RuleMeta(
    id="NAT011",
    name="managed-nat-single-ip-large-cluster",
    title="Large clusters with a managed NAT gateway use at least two outbound IPs",
    severity=Severity.LOW,
    description=(
        "A large cluster egresses through an AKS-managed NAT gateway with a single public IP "
        "(managedOutboundIPProfile.count 1, the default): one IP's SNAT ports and per-destination "
        "connections are shared by every node."
    ),
    help_markdown=(
        "For large clusters AKS recommends the managed NAT gateway with at least two public IPs "
        f"({source_link('AKS-LARGE')}). The managed profile's `managedOutboundIPProfile.count` "
        f"defaults to 1 and goes up to 16 ({source_link('AKS-NAT')}); each IP adds 64,512 SNAT "
        f"ports and 50,000 connections per destination ({source_link('NAT-RES')}).\n\n"
        "'Large' is a parameter (`large_cluster_nodes`, default 100 nodes, the size the AKS "
        "guidance calls large), counted at each pool's autoscaler maximum. The effective "
        "outbound IPs count when they list more than the profile's count."
    ),
    remediation=(
        "az aks update -g <resource group> -n <cluster> --nat-gateway-managed-outbound-ip-count 2"
    ),
    sources=urls("AKS-LARGE", "AKS-NAT", "NAT-RES"),
    tags=("reliability", "networking", "nat-gateway", "snat", "capacity"),
    precision="medium",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for cluster in graph.clusters():
        if not cluster.is_managed_nat:
            continue
        config = policy.config(META.id, Config, cluster)
        profile = cluster.nat_gateway_profile
        count = profile.managed_outbound_ip_count if profile else None
        effective = len(profile.effective_outbound_ip_ids) if profile else 0
        ips = max(count or 1, effective)  # [AKS-NAT]: the count defaults to 1
        total = sum(nodes(pool) for pool in graph.pools(cluster))
        if ips >= config.min_outbound_ips or total < config.large_cluster_nodes:
            continue
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} can run {total} nodes but its managed NAT gateway has "
                f"{ips} outbound IP"
                + ("" if count is not None else " (managedOutboundIPProfile.count unset: 1)")
                + f"; large clusters should use at least {config.min_outbound_ips}."
            ),
            observed=f"{ips} managed outbound IP for {total} nodes",
            expected=f"at least {config.min_outbound_ips} managed outbound IPs",
            evidence=(cluster.id, *(profile.effective_outbound_ip_ids if profile else ())),
            remediation=egress_change(
                policy,
                [cluster],
                f"of cluster {cluster.name}: AKS adds "
                f"{counted(config.min_outbound_ips - ips, 'managed public IP')} to its NAT gateway",
            )
            + command(
                f"az aks update -g {cluster.resource_group} -n {cluster.name} "
                f"--nat-gateway-managed-outbound-ip-count {config.min_outbound_ips}"
            ),
            details={"nodes": str(total), "outboundIps": str(ips)},
        )


RULE = Rule(META, check, Config)
