"""NAT001 nat-without-public-ip: an attached NAT gateway with no address gives no egress."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.arm import ResourceId
from auditor.enums import Sku
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NatGateway, NodePool
from auditor.model import Finding, ResourceKind, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._text import egress_change, source_link, urls

META = RuleMeta(
    id="NAT001",
    name="nat-without-public-ip",
    title="Every attached NAT gateway has at least one public IP or prefix",
    severity=Severity.CRITICAL,
    description=(
        "A NAT gateway is attached to subnets but has no public IP address or prefix (IPv4 or "
        "IPv6): it takes over the subnets' internet egress and then has no address to leave from."
    ),
    help_markdown=(
        "A NAT gateway needs at least one public IP address or prefix to provide outbound "
        f"connectivity ({source_link('NAT-TS')}). Attached to a subnet it is still the subnet's "
        f"next hop for the internet ({source_link('NAT-RES')}), so the subnet's VMs lose "
        "internet egress: AKS nodes fail to provision and workloads cannot reach external "
        "services."
    ),
    remediation=(
        "az network public-ip create -g <resource group> -n <public IP> --sku Standard "
        "--allocation-method Static && az network nat gateway update -g <resource group> "
        "-n <NAT gateway> --public-ip-addresses <public IP>"
    ),
    sources=urls("NAT-TS", "NAT-RES"),
    tags=("reliability", "networking", "egress", "nat-gateway"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for nat in graph.all(NatGateway):
        addresses = (
            *nat.public_ip_ids,
            *nat.public_ip_prefix_ids,
            *nat.public_ip_v6_ids,
            *nat.public_ip_prefix_v6_ids,
        )
        subnets = _attachments(graph, nat)
        if addresses or not subnets:
            continue  # an unattached one is NAT002's
        pools = graph.pools_behind_nat(nat)
        yield META.finding(
            resource_id=nat.id,
            message=(
                f"NAT gateway {nat.name} is attached to {', '.join(_names(subnets))} but has no "
                "public IP address or prefix: traffic of those subnets has no internet egress"
                + (f" (node pools {', '.join(_pool_names(pools))})." if pools else ".")
            ),
            observed="no publicIpAddresses, publicIpPrefixes or their V6 lists",
            expected="at least one public IP address or prefix",
            evidence=(nat.id, *subnets, *(pool.id for pool in pools)),
            remediation=_remediation(ctx.policy, nat, [graph.cluster_of(p) for p in pools]),
        )


def _attachments(graph: EgressGraph, nat: NatGateway) -> tuple[ResourceId, ...]:
    ids = {*nat.subnet_ids, *(s.id for s in graph.subnets_of_nat(nat))}
    if nat.source_virtual_network_id:  # StandardV2 attached to a whole VNet [NAT-SKU]
        ids.add(nat.source_virtual_network_id)
    return tuple(sorted(ids))


def _pool_names(pools: list[NodePool]) -> list[str]:
    return [f"{pool.cluster_id.parts.name}/{pool.name}" for pool in pools]


def _names(ids: tuple[ResourceId, ...]) -> list[str]:
    names = []
    for resource_id in ids:
        parts = resource_id.parts
        if ResourceKind.of(resource_id) is ResourceKind.SUBNET:
            names.append(f"subnet {parts.parent}/{parts.name}")
        else:
            names.append(f"virtual network {parts.name}")
    return names


def _remediation(policy: Policy, nat: NatGateway, clusters: list[Cluster]) -> str:
    sku = nat.sku or Sku.STANDARD
    zone = f" --zone {' '.join(nat.zones)}" if nat.zones and sku is Sku.STANDARD else ""
    pip = f"pip-{nat.name}"
    return egress_change(
        policy, clusters, f"through NAT gateway {nat.name}: from none to the new address {pip}"
    ) + command(
        f"az network public-ip create -g {nat.resource_group} -n {pip} --sku {sku} "
        f"--allocation-method Static{zone} && az network nat gateway update "
        f"-g {nat.resource_group} -n {nat.name} --public-ip-addresses {pip}"
    )


RULE = Rule(META, check)
