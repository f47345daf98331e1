"""NAT004 nat-single-zone-for-multizone-cluster: one zone's failure takes all egress with it."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import Sku
from auditor.fixtext import command
from auditor.graph.nodes import Cluster, NatGateway, Subnet
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._egress import MANAGED_NAT_V2, aks_update, subnet_update
from rules._text import egress_change, source_link, urls

META = RuleMeta(
    id="NAT004",
    name="nat-single-zone-for-multizone-cluster",
    title="Node pools spread over several zones egress through a zone-redundant NAT gateway",
    severity=Severity.MEDIUM,
    description=(
        "A Standard NAT gateway, which lives in one zone (chosen by Azure when it has none), "
        "serves node pools spread over several availability zones: if its zone fails, every "
        "zone loses egress."
    ),
    help_markdown=(
        "A Standard NAT gateway is zonal or 'no zone', in which case Azure places it in one "
        f"zone you cannot see ({source_link('NAT-AZ')}, {source_link('NAT-RES')}). A single "
        "zonal NAT gateway serving VMs in several zones is not zone-resilient: a zone failure "
        f"removes egress from all of them ({source_link('AKS-ZR')}). The recommended patterns are "
        "a StandardV2 NAT gateway, which is zone-redundant, or one zonal NAT gateway per zonal "
        "pool subnet. A Standard gateway cannot be upgraded in place: StandardV2 needs a new "
        f"gateway and new StandardV2 public IPs ({source_link('NAT-SKU')}), so the egress IPs "
        "change."
    ),
    remediation=(
        "az network public-ip create -g <resource group> -n <new public IP> --sku StandardV2 "
        "--allocation-method Static && az network nat gateway create -g <resource group> "
        "-n <new NAT gateway> --sku StandardV2 --public-ip-addresses <new public IP> && "
        "az network vnet subnet update -g <vnet resource group> --vnet-name <vnet> -n <subnet> "
        "--nat-gateway <new NAT gateway ID>"
    ),
    sources=urls("NAT-AZ", "NAT-RES", "AKS-ZR", "NAT-SKU"),
    tags=("reliability", "networking", "nat-gateway", "availability-zones"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    owners = graph.managed_nat_owners()
    for nat in graph.all(NatGateway):
        if nat.sku is not Sku.STANDARD:
            continue  # StandardV2 is zone-redundant; an unknown SKU is not judged
        pools = graph.pools_behind_nat(nat)
        zones = sorted({zone for pool in pools for zone in pool.availability_zones})
        if len(zones) < 2:
            continue
        placement = f"zone {', '.join(nat.zones)}" if nat.zones else "no zone (one hidden zone)"
        owner = owners.get(nat.id)
        subnets = {s.id.key: s for p in pools if isinstance(s := graph.node_subnet(p), Subnet)}
        yield META.finding(
            resource_id=nat.id,
            message=(
                f"Standard NAT gateway {nat.name} sits in {placement} but serves node pools in "
                f"zones {', '.join(zones)} ("
                + "; ".join(
                    f"{p.cluster_id.parts.name}/{p.name}: "
                    f"{','.join(p.availability_zones) or 'no zone'}"
                    for p in pools
                )
                + "): a failure of its zone removes egress from all of them."
            ),
            observed=f"Standard NAT gateway in {placement}; pools in zones {', '.join(zones)}",
            expected="a StandardV2 (zone-redundant) NAT gateway, or one zonal NAT gateway per zone",
            evidence=(nat.id, *(pool.id for pool in pools)),
            remediation=_remediation(
                ctx.policy,
                nat,
                owner,
                [subnets[k] for k in sorted(subnets)],
                [graph.cluster_of(p) for p in pools],
            ),
        )


def _remediation(
    policy: Policy,
    nat: NatGateway,
    owner: Cluster | None,
    subnets: list[Subnet],
    clusters: list[Cluster],
) -> str:
    change = egress_change(
        policy,
        clusters,
        f"of every pool behind NAT gateway {nat.name}: its addresses give way to those of a "
        "new StandardV2 NAT gateway (StandardV2 takes StandardV2 public IPs only)",
    )
    if owner is not None:  # AKS-managed: AKS replaces it [AKS-NAT]
        return (
            change
            + "AKS replaces its managed NAT gateway with a StandardV2 one: "
            + aks_update(owner, MANAGED_NAT_V2)
        )
    new = f"{nat.name}-v2"
    pip = f"pip-{new}"
    new_id = (
        f"/subscriptions/{nat.subscription_id}/resourceGroups/{nat.resource_group}"
        f"/providers/Microsoft.Network/natGateways/{new}"
    )
    commands = [
        f"az network public-ip create -g {nat.resource_group} -n {pip} --sku StandardV2 "
        "--allocation-method Static",
        f"az network nat gateway create -g {nat.resource_group} -n {new} --sku StandardV2 "
        f"--public-ip-addresses {pip}",
        *(subnet_update(subnet, f"--nat-gateway {new_id}") for subnet in subnets),
    ]
    return change + command(" && ".join(commands))


RULE = Rule(META, check)
