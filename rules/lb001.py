"""LB001 lb-default-port-allocation: a load-balancer cluster sets its SNAT ports per node."""

from __future__ import annotations

import math
from collections.abc import Iterator

from auditor.enums import OutboundType
from auditor.fixtext import command as fix
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from auditor.wording import counted
from rules._egress import leaves_by_outbound_rules
from rules._nodes import (
    LB_SNAT_PORTS_PER_IP,
    ipv4_address_count,
    lb_outbound_ip_ids,
    node_ceiling,
    round_up_to_8,
    surge_nodes,
)
from rules._text import egress_change, source_link, urls

# The ports each node gets today under the default table at up to 50 nodes [AKS-LBCFG]:
# setting it explicitly keeps it from shrinking when the cluster grows.
SUGGESTED_PORTS_PER_NODE = 1024
MAX_MANAGED_OUTBOUND_IPS = 100  # [SDK]: managedOutboundIPs.count 1–100

META = RuleMeta(
    id="LB001",
    name="lb-default-port-allocation",
    title="Load balancer outbound rules allocate an explicit number of SNAT ports per node",
    severity=Severity.MEDIUM,
    description=(
        "The cluster egresses through its load balancer with the default port allocation "
        "(allocatedOutboundPorts 0): each node's SNAT ports depend on the backend pool size and "
        "shrink for every node when the cluster crosses a size boundary."
    ),
    help_markdown=(
        "With `allocatedOutboundPorts` left at 0, Azure hands each node SNAT ports from a table "
        "keyed on the backend pool size: 1,024 ports per node up to 50 nodes, 512 up to 100, "
        "256 up to 200, down to 32 ([LB-OUT]). Scaling across a boundary (50 → 51, "
        "100 → 101 nodes) shrinks the ports of the nodes already running and can disrupt "
        f"their connections ({source_link('AKS-LBCFG')}). Microsoft does not recommend the "
        f"default allocation for production ({source_link('LB-OUT')}): set an explicit value, "
        "sized with `64,000 ports per IP / ports per node × outbound IPs ≥ maximum nodes + "
        "surge nodes`.\n\n"
        "The suggested command keeps 1,024 ports per node (or more, if a workload declares a "
        "higher `peak_connections_per_node`) and sizes the managed outbound IP count for the "
        "node pools' maximum plus surge nodes."
    ),
    remediation=(
        "az aks update -g <resource group> -n <cluster> --load-balancer-outbound-ports 1024 "
        "--load-balancer-managed-outbound-ip-count <IPs for maximum nodes + surge>"
    ),
    sources=urls("LB-OUT", "AKS-LBCFG"),
    tags=("reliability", "networking", "egress", "load-balancer", "snat"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for cluster in graph.clusters():
        # Only where traffic uses the outbound rules: not a Basic load balancer (it has none,
        # LB003), nor a cluster whose every pool leaves by a NAT gateway or a route.
        if cluster.outbound is not OutboundType.LOAD_BALANCER or not leaves_by_outbound_rules(
            graph, cluster
        ):
            continue
        profile = cluster.load_balancer_profile
        ports = None if profile is None else profile.allocated_outbound_ports
        if ports:
            continue
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} egresses through its load balancer with the default "
                "SNAT port allocation, so every node's ports shrink as the cluster grows."
            ),
            observed=f"allocatedOutboundPorts={0 if ports is None else ports}",
            expected="an explicit allocatedOutboundPorts sized for maximum nodes plus surge",
            evidence=(cluster.id,),
            remediation=_remediation(graph, policy, cluster),
        )


def _remediation(graph: EgressGraph, policy: Policy, cluster: Cluster) -> str:
    peaks = [w.peak_connections_per_node or 0 for w in policy.workloads(cluster)]
    ports = round_up_to_8(max([SUGGESTED_PORTS_PER_NODE, *peaks]))
    nodes = 0
    for pool in graph.pools(cluster):
        if pool.is_stopped:
            continue
        ceiling = node_ceiling(pool) or 0
        nodes += ceiling + surge_nodes(pool, ceiling)
    command = (
        f"az aks update -g {cluster.resource_group} -n {cluster.name} "
        f"--load-balancer-outbound-ports {ports}"
    )
    profile = cluster.load_balancer_profile
    byo = profile is not None and bool(profile.outbound_ip_ids or profile.outbound_prefix_ids)
    current = ipv4_address_count(graph, lb_outbound_ip_ids(graph, cluster)) or 1
    needed = max(current, math.ceil(ports * nodes / LB_SNAT_PORTS_PER_IP))
    if byo:
        return fix(command) + f" (give the load balancer at least {needed} outbound IPs in all)"
    count = min(needed, MAX_MANAGED_OUTBOUND_IPS)
    change = (
        egress_change(
            policy,
            [cluster],
            f"of cluster {cluster.name}: "
            f"AKS adds {counted(count - current, 'managed outbound IP')}",
        )
        if count > current
        else ""
    )
    return change + fix(f"{command} --load-balancer-managed-outbound-ip-count {count}")


RULE = Rule(META, check)
