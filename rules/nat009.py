"""NAT009 nat-snat-capacity: declared peak connections outgrow a NAT gateway's SNAT capacity."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NatGateway, NodePool, PublicIp, PublicIpPrefix
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy, Workload
from rules._config import require_positive
from rules._egress import name_or_id, pools_by_workload_nat, scope_cluster, served_clusters
from rules._nodes import nodes, surge_nodes, valid_surge
from rules._text import egress_change, source_link, urls

MAX_ADDRESSES = 16  # [NAT-RES]: public IPv4 addresses (IPs and prefixes) per NAT gateway


@dataclass(frozen=True, slots=True)
class Config:
    """NAT009 thresholds, overridable under `rules: NAT009:` in the policy file. Azure states
    that the NAT numbers are subject to change ([NAT-RES]), hence parameters."""

    # [NAT-RES], [NAT-SKU]: concurrent connections to one destination endpoint per public IP.
    connections_per_destination_per_ip: int = 50_000
    # [NAT-RES], [NAT-SNAT]: SNAT ports per public IP (caps the figure above).
    snat_ports_per_ip: int = 64_512
    # [NAT-RES]: total connections per NAT gateway; above it new connections fail.
    max_connections: int = 2_000_000
    # Catalogue (egress-facts.md §8 NAT009): high when demand passes 80 % of the limit.
    high_ratio: float = 0.8
    # [AKS-LBCFG]: upgrades add surge nodes (AKS default maxSurge 10 %, rounded up) for pools
    # that do not set upgradeSettings.maxSurge.
    default_max_surge: str = "10%"

    def __post_init__(self) -> None:
        require_positive(
            self, "connections_per_destination_per_ip", "snat_ports_per_ip", "max_connections"
        )
        if not 0 < self.high_ratio <= 1:
            raise ValueError("must be a ratio above 0 and at most 1")
        if not valid_surge(self.default_max_surge):
            raise ValueError("must be a whole number of nodes or a whole percentage, e.g. 10%")


META = RuleMeta(
    id="NAT009",
    name="nat-snat-capacity",
    title="NAT gateways have the SNAT capacity for the declared peak connections",
    severity=Severity.MEDIUM,
    description=(
        "The peak connections per node that the policy declares for a workload, times the nodes "
        "that can egress through the NAT gateway, exceed what its public IPs allow to one "
        "destination (50,000 connections per IP) or in total (2 million)."
    ),
    help_markdown=(
        "A NAT gateway allows 50,000 concurrent connections to the same destination endpoint "
        "per public IP, 64,512 SNAT ports per IP and 2 million connections in total; above "
        f"that new connections fail ({source_link('NAT-RES')}). Ports are shared on demand by "
        f"every VM of every attached subnet ({source_link('NAT-SNAT')}). Scale out by adding "
        f"public IPs or a prefix (16 at most), then by splitting subnets across NAT gateways "
        f"({source_link('NAT-TSC')}); Private Link keeps Azure PaaS traffic off SNAT "
        f"({source_link('NAT-DES')}).\n\n"
        "Demand is Σ nodes × `peak_connections_per_node` (the policy's workload input; the "
        "largest declared per cluster) over every node pool whose workloads egress through the "
        "NAT gateway, including other clusters'. The peak counts each pool at its autoscaler "
        "maximum (else its count) plus upgrade surge nodes; the limit counts one address per "
        "public IP and 2^(32−length) per prefix (/28 = 16), and is judged only when all of them "
        "are in the snapshot.\n\n"
        "Medium: the peak exceeds the limit. High: the demand at the current node counts "
        "already passes 80 % of it (`high_ratio`)."
    ),
    remediation=(
        "az network public-ip prefix create -g <resource group> -n <prefix> --length 28 && "
        "az network nat gateway update -g <resource group> -n <NAT gateway> "
        "--public-ip-prefixes <prefix>"
    ),
    sources=urls("NAT-RES", "NAT-SNAT", "NAT-TSC", "NAT-DES"),
    tags=("reliability", "networking", "nat-gateway", "snat", "capacity"),
    precision="medium",
    other_severities=(
        f"high when today's connections already pass {Config().high_ratio:.0%} of the limit "
        "(`high_ratio`)"
    ),
)


@dataclass(frozen=True, slots=True)
class _Demand:
    peak: int  # connections to one destination at full scale-out, surge included
    current: int  # connections to one destination at the current node counts
    nodes: int
    workload: Workload  # the declaration with the largest share, for the finding's location


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    if not any(w.peak_connections_per_node for e in policy.clusters for w in e.workloads):
        return  # no demand declared anywhere: nothing to judge
    for nat_id, users in sorted(pools_by_workload_nat(graph).items()):
        nat = graph.get(nat_id)
        if not isinstance(nat, NatGateway):
            continue
        config = policy.config(META.id, Config, scope_cluster(c for c, _ in users))
        demand = _demand(users, policy, config)
        addresses = _address_count(graph, nat)
        if demand is None or not addresses:  # nothing declared, or addresses unknown (or none)
            continue
        per_ip = min(config.connections_per_destination_per_ip, config.snat_ports_per_ip)
        limit = min(per_ip * addresses, config.max_connections)
        high = demand.current > config.high_ratio * limit
        if demand.peak <= limit and not high:
            continue
        bound = (
            f"{per_ip:,} per public IP × {addresses}"
            if per_ip * addresses <= config.max_connections
            else f"the NAT gateway's total of {config.max_connections:,}"
        )
        yield META.finding(
            severity=Severity.HIGH if high else META.severity,
            resource_id=nat.id,
            message=(
                f"NAT gateway {nat.name} allows {limit:,} connections to one destination "
                f"({bound}); the declared peaks need {demand.peak:,} at full scale-out "
                f"({demand.nodes} nodes incl. surge) and {demand.current:,} at the current node "
                f"counts ({demand.current * 100 // limit} % of the limit"
                + (f", above {config.high_ratio:.0%})." if high else ").")
            ),
            observed=f"peak {demand.peak:,}; current {demand.current:,} connections",
            expected=f"≤ {limit:,} at peak and ≤ {config.high_ratio:.0%} of it now",
            evidence=(nat.id, *(pool.id for _, pool in users)),
            location=demand.workload.peak_location or demand.workload.location,
            remediation=_remediation(graph, policy, nat, addresses, demand.peak, per_ip),
            details={
                "workload": demand.workload.name,
                "limit": str(limit),
                "peak": str(demand.peak),
                "current": str(demand.current),
            },
        )


def _demand(
    users: list[tuple[Cluster, NodePool]], policy: Policy, config: Config
) -> _Demand | None:
    peak = current = count = 0
    best: tuple[int, Workload] | None = None
    needs: dict[str, Workload | None] = {}
    for cluster, pool in users:
        key = cluster.id.key
        if key not in needs:
            declared = [w for w in policy.workloads(cluster) if w.peak_connections_per_node]
            needs[key] = max(
                declared, key=lambda w: (w.peak_connections_per_node or 0, w.name), default=None
            )
        workload = needs[key]
        if workload is None:
            continue  # no declaration: this cluster adds nothing (the demand is a lower bound)
        per_node = workload.peak_connections_per_node or 0
        base = nodes(pool)
        pool_nodes = base + surge_nodes(pool, base, config.default_max_surge)
        share = pool_nodes * per_node
        peak += share
        current += (pool.count or 0) * per_node
        count += pool_nodes
        if best is None or share > best[0]:
            best = (share, workload)
    if best is None:
        return None
    return _Demand(peak, current, count, best[1])


def _address_count(graph: EgressGraph, nat: NatGateway) -> int | None:
    """IPv4 addresses of the NAT gateway: 1 per public IP, 2^(32−length) per prefix; None when
    one of them is not in the snapshot."""
    total = 0
    for ip_id in nat.public_ip_ids:
        if not isinstance(graph.get(ip_id), PublicIp):
            return None
        total += 1
    for prefix_id in nat.public_ip_prefix_ids:
        prefix = graph.get(prefix_id)
        length = _prefix_length(prefix) if isinstance(prefix, PublicIpPrefix) else None
        if length is None:
            return None
        total += 2 ** (32 - length)
    return total


def _prefix_length(prefix: PublicIpPrefix) -> int | None:
    if prefix.prefix_length is not None:
        return prefix.prefix_length
    if prefix.ip_prefix:
        return ipaddress.ip_network(prefix.ip_prefix, strict=False).prefixlen
    return None


def _remediation(
    graph: EgressGraph, policy: Policy, nat: NatGateway, addresses: int, peak: int, per_ip: int
) -> str:
    needed = -(-peak // per_ip)
    if needed > MAX_ADDRESSES:
        return (
            f"{needed} public IPs would be needed, more than a NAT gateway takes "
            f"({MAX_ADDRESSES}): split the node pool subnets of NAT gateway {nat.name} across "
            "NAT gateways, use Private Link for Azure PaaS destinations, or reduce connections "
            "per node"
        )
    extra = max(1, needed - addresses)
    size = max(2, 1 << (extra - 1).bit_length())  # prefixes are /28–/31 [NAT-FAQ]
    name = f"{nat.name}-prefix"
    replace = addresses + size > MAX_ADDRESSES
    if replace:
        size = MAX_ADDRESSES
    kept = [] if replace else [name_or_id(nat.resource_group, p) for p in nat.public_ip_prefix_ids]
    fix = command(
        f"az network public-ip prefix create -g {nat.resource_group} -n {name} "
        f"--length {32 - size.bit_length() + 1} --sku {nat.sku or 'Standard'} && "
        f"az network nat gateway update -g {nat.resource_group} -n {nat.name} "
        f"--public-ip-prefixes {' '.join([*kept, name])}"
    )
    clusters = served_clusters(graph, nat)
    if replace:
        return (
            egress_change(
                policy,
                clusters,
                f"of NAT gateway {nat.name}: its current addresses give way to the {size} of "
                f"prefix {name} ({MAX_ADDRESSES} at most)",
            )
            + fix
        )
    return (
        egress_change(
            policy, clusters, f"of NAT gateway {nat.name}: the {size} addresses of {name} join them"
        )
        + fix
        + f" ({addresses + size} addresses cover a peak of {peak:,})"
    )


RULE = Rule(META, check, Config)
