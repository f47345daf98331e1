"""NAT010 nat-individual-ips-not-prefix: several loose public IPs where a prefix would do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import NatGateway
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._config import require_positive
from rules._egress import scope_cluster, served_clusters
from rules._text import egress_change, source_link, urls

MAX_ADDRESSES = 16  # [NAT-RES]: public IPv4 addresses (IPs and prefixes) per NAT gateway


@dataclass(frozen=True, slots=True)
class Config:
    """NAT010 parameters, overridable under `rules: NAT010:` in the policy file."""

    # Catalogue (egress-facts.md §8 NAT010): two or more individual public IPs and no prefix.
    min_individual_ips: int = 2

    def __post_init__(self) -> None:
        require_positive(self, "min_individual_ips")


META = RuleMeta(
    id="NAT010",
    name="nat-individual-ips-not-prefix",
    title="NAT gateways with several public IPs use a public IP prefix",
    severity=Severity.INFO,
    description=(
        "A NAT gateway egresses from several individual public IPs and no prefix: destinations "
        "must allowlist each address, and every IP added later is another allowlist change."
    ),
    help_markdown=(
        "A public IP prefix gives a contiguous, predictable range that destinations can "
        f"allowlist once ({source_link('NAT-OV')}, {source_link('LB-OUT')}); prefixes of /28 to "
        f"/31 fit a NAT gateway ({source_link('NAT-FAQ')}). IPv4 and IPv6 are judged "
        "separately.\n\n"
        "AKS-managed NAT gateways (`managedNATGateway`) are exempt: AKS creates their IPs from "
        "`managedOutboundIPProfile.count`, and a Standard managed NAT gateway cannot take a "
        "prefix (outbound prefixes are for the StandardV2 managed NAT only)."
    ),
    remediation=(
        "`az network public-ip prefix create -g <resource group> -n <prefix> --length "
        "<28..31> && az network nat gateway update -g <resource group> -n <NAT gateway> "
        "--public-ip-prefixes <prefix>`, then move allowlists to the prefix and remove the IPs"
    ),
    sources=urls("NAT-OV", "LB-OUT", "NAT-FAQ"),
    tags=("security", "networking", "nat-gateway", "allowlist"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    managed = graph.managed_nat_owners()
    for nat in graph.all(NatGateway):
        if nat.id in managed:
            continue  # AKS owns its IPs (see help)
        config = policy.config(META.id, Config, scope_cluster(served_clusters(graph, nat)))
        for family, ips, prefixes in (
            ("IPv4", nat.public_ip_ids, nat.public_ip_prefix_ids),
            ("IPv6", nat.public_ip_v6_ids, nat.public_ip_prefix_v6_ids),
        ):
            if len(ips) < config.min_individual_ips or prefixes:
                continue
            cidrs, unknown = graph.cidrs(ips)
            listed = ", ".join([*cidrs, *(i.parts.name for i in unknown)])
            yield META.finding(
                resource_id=nat.id,
                message=(
                    f"NAT gateway {nat.name} egresses from {len(ips)} individual {family} "
                    f"public IPs ({listed}) and no prefix: destinations allowlist each one."
                ),
                observed=f"{len(ips)} {family} public IPs, no prefix",
                expected="a public IP prefix",
                evidence=(nat.id, *ips),
                key="" if family == "IPv4" else "ipv6",
                remediation=_remediation(ctx.policy, graph, nat, len(ips), family),
            )


def _remediation(
    policy: Policy, graph: EgressGraph, nat: NatGateway, count: int, family: str
) -> str:
    name = f"{nat.name}-prefix"
    change = egress_change(
        policy,
        served_clusters(graph, nat),
        f"of NAT gateway {nat.name}: the addresses of prefix {name} join its {family} IPs, and "
        "replace them once the allowlists have moved",
    )
    if family == "IPv6":
        name = f"{nat.name}-prefix6"
        return (
            change
            + command(
                f"az network public-ip prefix create -g {nat.resource_group} -n {name} "
                f"--version IPv6 --length 124 --sku StandardV2 && az network nat gateway update "
                f"-g {nat.resource_group} -n {nat.name} --pip-prefixes-v6 {name}"
            )
            + ", then move allowlists to it and remove the individual IPv6 IPs"
        )
    bits = max(1, (count - 1).bit_length())  # the smallest prefix holding them all
    order = (
        "then move allowlists to the prefix and remove the individual IPs"
        if count + 2**bits <= MAX_ADDRESSES
        else f"after removing enough IPs to stay within {MAX_ADDRESSES} addresses"
    )
    return (
        change
        + command(
            f"az network public-ip prefix create -g {nat.resource_group} -n {name} "
            f"--length {32 - bits} --sku {nat.sku or 'Standard'} && az network nat gateway "
            f"update -g {nat.resource_group} -n {nat.name} --public-ip-prefixes {name}"
        )
        + f", {order}"
    )


RULE = Rule(META, check, Config)
