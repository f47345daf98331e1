"""NAT012 standardv2-with-lb-ipv6-outbound: a StandardV2 NAT gateway disrupts IPv6 egress that
still relies on load balancer outbound rules."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import IpVersion, Sku
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NatGateway, Subnet
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import aks_update
from rules._text import egress_change, source_link, urls

META = RuleMeta(
    id="NAT012",
    name="standardv2-with-lb-ipv6-outbound",
    title=(
        "Dual-stack clusters do not combine a StandardV2 NAT gateway with IPv6 egress through "
        "load balancer outbound rules"
    ),
    severity=Severity.MEDIUM,
    description=(
        "A dual-stack cluster's node subnet has a StandardV2 NAT gateway with no IPv6 address, "
        "so the cluster's IPv6 egress relies on load balancer outbound rules, which a "
        "StandardV2 NAT gateway is known to disrupt."
    ),
    help_markdown=(
        "A Standard NAT gateway has no IPv6: dual-stack egress is the NAT gateway for IPv4 and "
        f"load balancer outbound rules for IPv6 ({source_link('NAT-FAQ')}). StandardV2 supports "
        "IPv6, but a known issue is that it disrupts IPv6 outbound connectivity through load "
        f"balancer outbound rules ({source_link('NAT-SKU')}, {source_link('NAT-OV')}).\n\n"
        "Give the StandardV2 NAT gateway IPv6 public IPs or prefixes so that IPv6 leaves "
        "through it, or keep a Standard NAT gateway for IPv4 with the load balancer for IPv6."
    ),
    remediation=(
        "Give the NAT gateway an IPv6 public IP (`az network nat gateway update -g <resource "
        "group> -n <NAT gateway> --pip-addresses-v6 <StandardV2 IPv6 public IP>`; for an "
        "AKS-managed one `az aks update -g <resource group> -n <cluster> --outbound-type-sku "
        "StandardV2 --nat-gateway-managed-outbound-ipv6-count 1` (Azure CLI 2.91.0 or later)), "
        "or use a "
        "Standard NAT gateway for IPv4 and the load balancer for IPv6"
    ),
    sources=urls("NAT-FAQ", "NAT-SKU", "NAT-OV"),
    tags=("reliability", "networking", "nat-gateway", "ipv6"),
    precision="medium",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if IpVersion.IPV6 not in cluster.ip_families:
            continue
        nats: dict[str, NatGateway] = {}
        pools: list[str] = []
        for pool in graph.pools(cluster):
            subnet = graph.node_subnet(pool)
            nat = (
                graph.get(graph.subnet_nat_gateway_id(subnet))
                if isinstance(subnet, Subnet)
                else None
            )
            # Unread subnets and NAT gateways are unknown; a NAT gateway with IPv6 addresses
            # carries the IPv6 egress itself.
            if not isinstance(nat, NatGateway) or nat.sku is not Sku.STANDARD_V2:
                continue
            if nat.public_ip_v6_ids or nat.public_ip_prefix_v6_ids:
                continue
            nats.setdefault(nat.id.key, nat)
            pools.append(pool.name)
        if not nats:
            continue
        found = [nats[key] for key in sorted(nats)]
        families = ", ".join(map(str, cluster.ip_families))
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Dual-stack cluster {cluster.name} (ipFamilies {families}) "
                f"has StandardV2 NAT gateway {', '.join(n.name for n in found)} without IPv6 "
                f"addresses on the subnet of node pools {', '.join(pools)}: their IPv6 egress "
                "relies on load balancer outbound rules, which StandardV2 disrupts."
            ),
            observed="StandardV2 NAT gateway without IPv6 addresses; IPv6 via load balancer",
            expected="IPv6 public IPs on the StandardV2 NAT gateway, or a Standard NAT gateway",
            evidence=(cluster.id, *(n.id for n in found)),
            remediation=egress_change(
                ctx.policy,
                [cluster],
                f"of cluster {cluster.name}: IPv6 traffic leaves from a new IPv6 address of its "
                "NAT gateway instead of the load balancer's",
            )
            + "; ".join(_ipv6_fix(graph, cluster, n) for n in found),
        )


def _ipv6_fix(graph: EgressGraph, cluster: Cluster, nat: NatGateway) -> str:
    if nat in graph.managed_nat_gateways(cluster):
        # AKS manages it: its IPs change through the cluster.
        return aks_update(
            cluster, "--outbound-type-sku StandardV2 --nat-gateway-managed-outbound-ipv6-count 1"
        )
    pip = f"pip6-{nat.name}"
    return command(
        f"az network public-ip create -g {nat.resource_group} -n {pip} --sku StandardV2 "
        f"--version IPv6 --allocation-method Static && az network nat gateway update "
        f"-g {nat.resource_group} -n {nat.name} --pip-addresses-v6 {pip}"
    )


RULE = Rule(META, check)
