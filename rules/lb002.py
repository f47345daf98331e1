"""LB002 lb-snat-capacity: the load balancer's SNAT ports cover every node plus surge nodes."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.enums import OutboundType
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from auditor.wording import counted
from rules._config import require_not_negative, require_positive
from rules._egress import leaves_by_outbound_rules
from rules._nodes import (
    DEFAULT_SURGE_NODES,
    LB_SNAT_PORTS_PER_IP,
    ipv4_address_count,
    lb_outbound_ip_ids,
    node_ceiling,
    surge_nodes,
)
from rules._text import egress_change, source_link, urls

MAX_MANAGED_OUTBOUND_IPS = 100  # [SDK]: managedOutboundIPs.count 1–100


@dataclass(frozen=True, slots=True)
class Config:
    ports_per_ip: int = LB_SNAT_PORTS_PER_IP
    default_surge_nodes: int = DEFAULT_SURGE_NODES

    def __post_init__(self) -> None:
        require_positive(self, "ports_per_ip")
        require_not_negative(self, "default_surge_nodes")


META = RuleMeta(
    id="LB002",
    name="lb-snat-capacity",
    title="The load balancer's outbound IPs hold enough SNAT ports for every node plus surge",
    severity=Severity.HIGH,
    description=(
        "Allocated outbound ports per node times the most nodes the cluster can run (autoscaler "
        "maximum plus upgrade surge) exceed the 64,000 SNAT ports each outbound IP provides: "
        "nodes added by scaling or upgrades get no ports."
    ),
    help_markdown=(
        "Each load balancer frontend IP provides 64,000 SNAT ports, and with an explicit "
        "`allocatedOutboundPorts` every node takes that many "
        f"({source_link('AKS-LBCFG')}). The cluster fits only while "
        "`ports per node × (maximum nodes + surge nodes) ≤ 64,000 × outbound IPs`; AKS asks to "
        "count the autoscaler's `maxCount` and the nodes `maxSurge` adds during upgrades, one "
        "buffer node by default.\n\n"
        "How egress-audit counts: per running node pool, `maxCount` when the autoscaler is on, "
        "else `count`; plus its surge (`maxSurge` as a number, or a percentage of those nodes "
        "rounded up; unset means one node), summed over the pools because an upgrade can "
        "surge each of them. Outbound IPs are the load balancer's effective outbound IPs plus "
        "the addresses of its outbound prefixes. A stopped cluster is not judged (LIFE001 "
        "reports it) and a stopped pool holds no nodes. With the default port allocation "
        "(0) Azure shrinks the ports per node instead; LB001 reports that.\n\n"
        "Fix it with more outbound IPs (up to 100 managed) or by moving egress to a NAT "
        f"gateway ({source_link('AKS-OT')})."
    ),
    remediation=(
        "az aks update -g <resource group> -n <cluster> "
        "--load-balancer-managed-outbound-ip-count <IPs needed>"
    ),
    sources=urls("AKS-LBCFG", "AKS-OT"),
    tags=("reliability", "networking", "egress", "load-balancer", "snat", "capacity"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for cluster in graph.clusters():
        if (
            cluster.outbound is not OutboundType.LOAD_BALANCER
            or cluster.is_stopped
            or not leaves_by_outbound_rules(graph, cluster)
        ):
            continue
        profile = cluster.load_balancer_profile
        ports = None if profile is None else profile.allocated_outbound_ports
        if not ports:
            continue  # default allocation: LB001
        config = policy.config(META.id, Config, cluster)
        ip_ids = lb_outbound_ip_ids(graph, cluster)
        ips = ipv4_address_count(graph, ip_ids) if ip_ids else None
        if not ips and profile is not None and not ip_ids:
            ips = profile.managed_outbound_ip_count
        nodes = _nodes(graph, cluster, config)
        if not ips or nodes is None:
            continue  # an unknown prefix size or node count is not judged
        maximum, surge = nodes
        needed = ports * (maximum + surge)
        available = config.ports_per_ip * ips
        if needed <= available:
            continue
        ips_needed = math.ceil(needed / config.ports_per_ip)
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} needs {needed:,} SNAT ports ({ports:,} per node × "
                f"{maximum} nodes + {surge} surge), but "
                + (
                    f"its {ips} outbound IPs provide {available:,}."
                    if ips != 1
                    else f"its one outbound IP provides {available:,}."
                )
            ),
            observed=f"{available:,} SNAT ports from {counted(ips, 'outbound IP')}",
            expected=f"at least {needed:,} SNAT ports ({ips_needed} outbound IPs)",
            evidence=(cluster.id, *ip_ids),
            remediation=_remediation(policy, cluster, maximum + surge, ips, ips_needed, config),
            details={
                "allocatedOutboundPorts": str(ports),
                "maximumNodes": str(maximum),
                "surgeNodes": str(surge),
                "outboundIps": str(ips),
            },
        )


def _nodes(graph: EgressGraph, cluster: Cluster, config: Config) -> tuple[int, int] | None:
    maximum = surge = 0
    for pool in graph.pools(cluster):
        if pool.is_stopped:
            continue
        ceiling = node_ceiling(pool)
        if ceiling is None:
            return None
        maximum += ceiling
        surge += surge_nodes(pool, ceiling, str(config.default_surge_nodes))
    return maximum, surge


def _remediation(
    policy: Policy, cluster: Cluster, nodes: int, ips: int, ips_needed: int, config: Config
) -> str:
    profile = cluster.load_balancer_profile
    byo = profile is not None and bool(profile.outbound_ip_ids or profile.outbound_prefix_ids)
    base = f"az aks update -g {cluster.resource_group} -n {cluster.name}"
    count = min(ips_needed, MAX_MANAGED_OUTBOUND_IPS)
    change = egress_change(
        policy, [cluster], f"of cluster {cluster.name}: its outbound IPs go from {ips} to {count}"
    )
    if profile is not None and byo:
        # The option replaces the list: the addresses the cluster has are given again. AKS takes
        # outbound IPs or outbound prefixes, not both [AKS-LBCFG].
        more = ips_needed - ips
        if profile.outbound_ip_ids:
            kept = ",".join(i.text for i in profile.outbound_ip_ids)
            what = counted(more, "new Standard public IP")
            option = f"--load-balancer-outbound-ips {kept},<new public IP IDs>"
        else:
            kept = ",".join(i.text for i in profile.outbound_prefix_ids)
            addresses = counted(more, "more address", "more addresses")
            what = f"a new Standard public IP prefix for at least {addresses}"
            option = f"--load-balancer-outbound-ip-prefixes {kept},<new public IP prefix IDs>"
        return (
            f"{change}Create {what}, then give the load balancer {ips_needed} outbound IPs in "
            f"all: {command(f'{base} {option}')}; or move egress to a NAT gateway"
        )
    if ips_needed > MAX_MANAGED_OUTBOUND_IPS:
        # More than the managed maximum: fewer ports per node on 100 IPs (a multiple of 8).
        ports = (config.ports_per_ip * MAX_MANAGED_OUTBOUND_IPS // nodes) // 8 * 8
        return (
            change
            + command(
                f"{base} --load-balancer-managed-outbound-ip-count {MAX_MANAGED_OUTBOUND_IPS} "
                f"--load-balancer-outbound-ports {ports}"
            )
            + " (or move egress to a NAT gateway)"
        )
    return change + command(f"{base} --load-balancer-managed-outbound-ip-count {ips_needed}")


RULE = Rule(META, check, Config)
