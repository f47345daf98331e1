"""FW001 firewall-snat-capacity: a firewall carries cluster egress on too few public IPs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.fixtext import command
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.wording import counted
from rules._config import require_positive
from rules._egress import scope_cluster
from rules._firewall import FirewallUse, firewall_uses
from rules._text import egress_change, source_link, urls

# [FW-NAT]: 2,496 SNAT ports per public IP per backend instance.
PORTS_PER_IP = 2496


@dataclass(frozen=True, slots=True)
class Config:
    """FW001 threshold, overridable under `rules: FW001:` in the policy file."""

    # [AKS-FW]: "a minimum of 20 frontend IPs on the Azure Firewall" for production.
    min_public_ips: int = 20

    def __post_init__(self) -> None:
        require_positive(self, "min_public_ips")


META = RuleMeta(
    id="FW001",
    name="firewall-snat-capacity",
    title="Azure Firewalls that carry cluster egress have enough SNAT capacity",
    severity=Severity.MEDIUM,
    description=(
        "Node pools leave through an Azure Firewall whose subnet has no NAT gateway and which "
        "has fewer than 20 public IPs: each IP gives only 2,496 SNAT ports per firewall "
        "instance, and busy clusters exhaust them."
    ),
    help_markdown=(
        "Azure Firewall gives 2,496 SNAT ports per public IP per backend instance, up to 250 "
        f"public IPs ({source_link('FW-NAT')}); AKS recommends at least 20 frontend IPs on a "
        f"firewall that carries cluster egress in production ({source_link('AKS-FW')}). A NAT "
        "gateway on `AzureFirewallSubnet` takes over the firewall's outbound traffic with "
        "64,512 ports per IP and is the documented way to scale SNAT "
        f"({source_link('FW-NAT')}); a firewall in a Virtual WAN hub cannot use one and raises "
        "its public IP count instead.\n\n"
        "The threshold is a parameter (`min_public_ips`, default 20). Only firewalls that a "
        "node pool's 0.0.0.0/0 route reaches are judged; their public IPs are counted from the "
        "row (IP configurations, or `hubIPAddresses.publicIPs` for a hub firewall)."
    ),
    remediation=(
        "Attach a NAT gateway to AzureFirewallSubnet (`az network vnet subnet update -g "
        "<vnet resource group> --vnet-name <hub vnet> -n AzureFirewallSubnet --nat-gateway "
        "<NAT gateway ID>`), or add public IPs to the firewall"
    ),
    sources=urls("FW-NAT", "AKS-FW"),
    tags=("reliability", "networking", "firewall", "snat", "capacity"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for use in firewall_uses(ctx.graph):
        firewall = use.firewall
        if use.behind_nat:
            continue
        hub = firewall.virtual_hub_id is not None
        ips = (
            (firewall.hub_public_ip_count or len(firewall.hub_public_addresses))
            if hub
            else len(firewall.public_ip_ids)
        )
        config = ctx.policy.config(META.id, Config, scope_cluster(use.clusters))
        if ips == 0 or ips >= config.min_public_ips:
            continue  # no public IP at all: forced tunnelling, egress beyond the firewall
        yield META.finding(
            resource_id=firewall.id,
            message=(
                f"Azure Firewall {firewall.name} carries the egress of node pools "
                f"{use.pool_names()} with {counted(ips, 'public IP')} and no NAT "
                f"gateway on its subnet: {ips * PORTS_PER_IP:,} SNAT ports per firewall "
                f"instance, below the {config.min_public_ips} public IPs AKS recommends."
            ),
            observed=f"{ips} public IPs, no NAT gateway on AzureFirewallSubnet",
            expected=f"a NAT gateway on AzureFirewallSubnet, or at least {config.min_public_ips} "
            "public IPs",
            evidence=(firewall.id, *(p.id for _, p, _ in use.pools)),
            remediation=_remediation(ctx, use, ips, config.min_public_ips),
            details={"publicIps": str(ips), "minimum": str(config.min_public_ips)},
        )


def _remediation(ctx: RuleContext, use: FirewallUse, ips: int, minimum: int) -> str:
    firewall = use.firewall
    group = firewall.resource_group
    if firewall.virtual_hub_id is not None:
        return egress_change(
            ctx.policy,
            use.clusters,
            f"of every pool behind firewall {firewall.name}: "
            f"{minimum - ips} addresses join its {ips}",
        ) + command(
            f"az network firewall update -g {group} -n {firewall.name} --public-ip-count {minimum}"
        )
    subnet = firewall.subnet_id
    vnet = subnet.parent_id() if subnet is not None else None
    if subnet is None or vnet is None:
        return "Attach a NAT gateway to AzureFirewallSubnet, or add public IPs to the firewall"
    vnet_part = vnet.parts
    nat = f"{firewall.name}-nat"
    pip = f"{nat}-ip"
    return egress_change(
        ctx.policy,
        use.clusters,
        f"of every pool behind firewall {firewall.name}: its public IPs give way to the "
        f"address of the NAT gateway {nat}",
    ) + command(
        f"az network public-ip create -g {vnet_part.resource_group} -n {pip} --sku Standard "
        f"--allocation-method Static && az network nat gateway create -g "
        f"{vnet_part.resource_group} -n {nat} --public-ip-addresses {pip} && az network vnet "
        f"subnet update -g {vnet_part.resource_group} --vnet-name {vnet_part.name} -n "
        f"{subnet.name} --nat-gateway {nat}"
    )


RULE = Rule(META, check)
