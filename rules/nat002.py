"""NAT002 nat-unattached: a NAT gateway on no subnet and no virtual network carries no traffic."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.nodes import NatGateway
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import source_link, urls

META = RuleMeta(
    id="NAT002",
    name="nat-unattached",
    title="Every NAT gateway is attached to a subnet or a virtual network",
    severity=Severity.LOW,
    description=(
        "A NAT gateway is attached to no subnet and, as a StandardV2 gateway, to no virtual "
        "network (sourceVirtualNetwork): it carries no traffic, costs money, and its IPs may "
        "sit in allowlists for nothing."
    ),
    help_markdown=(
        "A NAT gateway serves only the subnets it is attached to; one without a subnet carries "
        f"no traffic ({source_link('NAT-TS')}). A StandardV2 NAT gateway can instead be attached "
        f"to a whole virtual network through `sourceVirtualNetwork` ({source_link('NAT-SKU')}), "
        "which counts as attached here. Attach it where it was meant to serve (often a node pool "
        "subnet, see EGR001) or delete it."
    ),
    remediation=(
        "Attach it to a subnet (`az network vnet subnet update -g <vnet resource group> "
        "--vnet-name <vnet> -n <subnet> --nat-gateway <NAT gateway ID>`), or delete it "
        "(`az network nat gateway delete -g <resource group> -n <NAT gateway>`)"
    ),
    sources=urls("NAT-TS", "NAT-SKU"),
    tags=("security", "networking", "nat-gateway", "cost"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for nat in graph.all(NatGateway):
        # Either side of the association counts: the NAT's own list, a subnet's reference, or
        # a whole virtual network (StandardV2).
        if nat.subnet_ids or nat.source_virtual_network_id or graph.subnets_of_nat(nat):
            continue
        addresses, _ = graph.cidrs((*nat.public_ip_ids, *nat.public_ip_prefix_ids))
        yield META.finding(
            resource_id=nat.id,
            message=(
                f"NAT gateway {nat.name} is attached to no subnet and no virtual network: it "
                "carries no traffic"
                + (
                    f", and its addresses {', '.join(addresses)} serve nothing."
                    if addresses
                    else "."
                )
            ),
            observed="no subnets and no sourceVirtualNetwork",
            expected="attached to the subnets it should serve, or deleted",
            evidence=(nat.id, *nat.public_ip_ids, *nat.public_ip_prefix_ids),
            remediation=(
                "Attach it to the subnet it was meant for ("
                + command(
                    "az network vnet subnet update -g <vnet resource group> --vnet-name <vnet> "
                    f"-n <subnet> --nat-gateway {nat.id}"
                )
                + "), or delete it ("
                + command(f"az network nat gateway delete -g {nat.resource_group} -n {nat.name}")
                + ")"
            ),
        )


RULE = Rule(META, check)
