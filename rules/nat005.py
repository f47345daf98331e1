"""NAT005 nat-zone-not-in-pool-zones: a zonal NAT gateway outside every zone of its pool."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import Sku
from auditor.fixtext import command
from auditor.graph.nodes import NatGateway, Subnet
from auditor.model import EgressKind, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import nodepool_command
from rules._text import pool_label, source_link, urls

META = RuleMeta(
    id="NAT005",
    name="nat-zone-not-in-pool-zones",
    title="A zonal NAT gateway sits in a zone of the node pools it serves",
    severity=Severity.LOW,
    description=(
        "A node pool egresses through a zonal NAT gateway that sits in none of the pool's "
        "availability zones, so a failure of a zone the pool does not even use cuts its egress."
    ),
    help_markdown=(
        "The zonal-stack pattern pairs a NAT gateway, its public IPs and the VMs it serves in "
        f"the same zone ({source_link('NAT-AZ')}, {source_link('NAT-RES')}). A pool in zones "
        "that exclude the NAT gateway's zone gains nothing from its own zone placement: its "
        "egress depends on another zone.\n\n"
        "Pools without availability zones, NAT gateways without a zone and StandardV2 "
        "(zone-redundant) gateways are not judged; a zonal gateway that serves a pool spread "
        "over several zones including its own is NAT004's finding."
    ),
    remediation=(
        "Replace the pool with one in the NAT gateway's zone (`az aks nodepool add -g "
        "<resource group> --cluster-name <cluster> -n <new pool> --zones <NAT gateway zone> "
        "--vnet-subnet-id <subnet>`), or give the pool's subnet a NAT gateway in the pool's zone"
    ),
    sources=urls("NAT-AZ", "NAT-RES"),
    tags=("reliability", "networking", "nat-gateway", "availability-zones"),
    precision="medium",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster, pool in graph.node_pools():
        path = graph.egress(pool)
        nat = graph.get(path.device_id) if path.kind is EgressKind.NAT_GATEWAY else None
        if not isinstance(nat, NatGateway) or not _zonal(nat) or not pool.availability_zones:
            continue
        if set(nat.zones) & set(pool.availability_zones):
            continue
        subnet = graph.node_subnet(pool)
        subnet_arg = subnet.id if isinstance(subnet, Subnet) else "<subnet>"
        yield META.finding(
            resource_id=pool.id,
            message=(
                f"{pool_label(cluster, pool)} runs in {_zones(pool.availability_zones)} "
                f"but egresses through NAT gateway {nat.name} in zone {', '.join(nat.zones)}."
            ),
            observed=(
                f"NAT gateway zone {', '.join(nat.zones)}; pool zones "
                f"{', '.join(pool.availability_zones)}"
            ),
            expected="the NAT gateway's zone among the pool's zones",
            evidence=(cluster.id, pool.id, nat.id),
            remediation=(
                "Replace the pool with one in the NAT gateway's zone ("
                + command(
                    nodepool_command("add", cluster, "<new pool>")
                    + f" --zones {' '.join(nat.zones)} --vnet-subnet-id {subnet_arg}"
                )
                + ", then "
                + command(nodepool_command("delete", cluster, pool.name))
                + "); or give the pool a subnet whose NAT gateway is in zone "
                f"{', '.join(pool.availability_zones)}"
            ),
        )


def _zonal(nat: NatGateway) -> bool:
    return bool(nat.zones) and nat.sku is not Sku.STANDARD_V2


RULE = Rule(META, check)


def _zones(zones: tuple[str, ...]) -> str:
    return f"zone {zones[0]}" if len(zones) == 1 else f"zones {', '.join(zones)}"
