"""WIN001 windows-outboundnat-on-nat-egress: Windows pools behind a NAT gateway skip OutboundNAT."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import OsType
from auditor.fixtext import command
from auditor.graph.nodes import Cluster, NodePool
from auditor.model import EgressKind, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import nodepool_command
from rules._text import pool_label, source_link, urls

WINDOWS_POOL_NAME_LENGTH = 6  # Windows node pool names are at most six characters

META = RuleMeta(
    id="WIN001",
    name="windows-outboundnat-on-nat-egress",
    title="Windows node pools behind a NAT gateway have OutboundNAT disabled",
    severity=Severity.LOW,
    description=(
        "A Windows node pool egresses through a NAT gateway with Windows OutboundNAT still on: "
        "the extra translation on each node can exhaust its ports, and with a NAT gateway it "
        "is not needed."
    ),
    help_markdown=(
        "Windows nodes apply OutboundNAT by default, which can exhaust ports; AKS lets a "
        "Windows pool disable it (`--disable-windows-outbound-nat`, API "
        "`windowsProfile.disableOutboundNat`) only when the cluster's outbound type is a NAT "
        f"gateway and the pool has no node public IPs ({source_link('AKS-NAT')}, "
        f"{source_link('SDK')}).\n\n"
        "The setting is fixed when a pool is created: add a new Windows pool with it, move "
        "the workloads, then delete the old pool. egress-audit judges only pools of a "
        "NAT-gateway outbound type whose effective egress is that NAT gateway."
    ),
    remediation=(
        "az aks nodepool add -g <resource group> --cluster-name <cluster> -n <new pool> "
        "--os-type Windows --disable-windows-outbound-nat"
    ),
    sources=urls("AKS-NAT", "SDK"),
    tags=("reliability", "networking", "egress", "windows", "snat"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if not cluster.is_nat_outbound:
            continue
        for pool in graph.pools(cluster):
            if pool.os_type is not OsType.WINDOWS or pool.windows_outbound_nat_disabled:
                continue
            if pool.enable_node_public_ip or graph.egress(pool).kind is not EgressKind.NAT_GATEWAY:
                continue  # the flag needs NAT gateway egress and no node public IPs
            path = graph.egress(pool)
            yield META.finding(
                resource_id=pool.id,
                message=(
                    f"{pool_label(cluster, pool)} is a Windows pool that egresses through "
                    f"{path.describe()} with OutboundNAT still enabled."
                ),
                observed="windowsProfile.disableOutboundNat is not true",
                expected="windowsProfile.disableOutboundNat=true",
                evidence=(cluster.id, pool.id, *path.hop_ids),
                remediation=_remediation(cluster, pool),
            )


def _remediation(cluster: Cluster, pool: NodePool) -> str:
    new_name = (pool.name[: WINDOWS_POOL_NAME_LENGTH - 1] + "2").lower()
    if new_name == pool.name.lower():
        new_name = pool.name[: WINDOWS_POOL_NAME_LENGTH - 1].lower() + "3"
    subnet = f" --vnet-subnet-id {pool.vnet_subnet_id}" if pool.vnet_subnet_id else ""
    count = f" --node-count {pool.count}" if pool.count else ""
    return (
        "Add a Windows pool without OutboundNAT ("
        + command(
            nodepool_command("add", cluster, new_name)
            + f" --os-type Windows --disable-windows-outbound-nat{count}{subnet}"
        )
        + "), move the workloads, then delete this one ("
        + command(nodepool_command("delete", cluster, pool.name))
        + ")"
    )


RULE = Rule(META, check)
