"""NAT003 nat-pip-sku-mismatch: a NAT gateway's public IP or prefix it cannot use."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import AllocationMethod, IpVersion, Sku
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import NatGateway, PublicIp, PublicIpPrefix
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._egress import name_or_id, served_clusters
from rules._text import egress_change, source_link, urls

META = RuleMeta(
    id="NAT003",
    name="nat-pip-sku-mismatch",
    title=(
        "NAT gateway public IPs and prefixes match its SKU, are static, and use neither routing "
        "preference Internet nor DDoS protection"
    ),
    severity=Severity.HIGH,
    description=(
        "A public IP or prefix on a NAT gateway has a SKU the gateway does not accept (Basic, "
        "Standard on StandardV2 or the reverse), dynamic allocation, routing preference "
        "Internet, or DDoS protection enabled."
    ),
    help_markdown=(
        "A Standard NAT gateway needs Standard public IPs and prefixes; a StandardV2 NAT gateway "
        "needs StandardV2 ones and rejects Standard; Basic public IPs are incompatible "
        f"({source_link('NAT-RES')}, {source_link('NAT-SKU')}). NAT gateway addresses are static "
        f"only ({source_link('PIP')}), and public IPs with routing preference Internet or with "
        f"DDoS protection enabled are not supported ({source_link('NAT-FAQ')}). Such an address "
        "does not carry the NAT gateway's traffic as intended, and a Standard gateway cannot be "
        "upgraded in place: replace the address, or the gateway.\n\n"
        "Only addresses in the snapshot are judged; unread ones are listed as unknown."
    ),
    remediation=(
        "az network public-ip create -g <resource group> -n <new public IP> --sku <NAT SKU> "
        "--allocation-method Static && az network nat gateway update -g <resource group> "
        "-n <NAT gateway> --public-ip-addresses <kept IPs> <new public IP>"
    ),
    sources=urls("NAT-RES", "NAT-SKU", "PIP", "NAT-FAQ"),
    tags=("reliability", "networking", "nat-gateway", "public-ip"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for nat in graph.all(NatGateway):
        for address_id in (*nat.public_ip_ids, *nat.public_ip_v6_ids):
            address = graph.get(address_id)
            if isinstance(address, PublicIp):
                problems = _sku_problems(nat, address.sku) + _ip_problems(address)
                if problems:
                    yield _finding(graph, ctx.policy, nat, address, problems)
        for prefix_id in (*nat.public_ip_prefix_ids, *nat.public_ip_prefix_v6_ids):
            prefix = graph.get(prefix_id)
            if isinstance(prefix, PublicIpPrefix):
                problems = _sku_problems(nat, prefix.sku)
                if problems:
                    yield _finding(graph, ctx.policy, nat, prefix, problems)


def _sku_problems(nat: NatGateway, sku: Sku | None) -> list[str]:
    if sku is None:
        return []  # unknown, not wrong
    if nat.sku is not None and sku is not nat.sku:
        return [f"SKU {sku} on a {nat.sku} NAT gateway"]
    if sku is Sku.BASIC:
        return ["SKU Basic"]
    return []


def _ip_problems(address: PublicIp) -> list[str]:
    problems = []
    if address.allocation_method not in (None, AllocationMethod.STATIC):
        problems.append(f"allocation method {address.allocation_method}")
    if address.routing_preference_internet:
        problems.append("routing preference Internet")
    if address.ddos_protection:
        problems.append("DDoS protection enabled")
    return problems


def _finding(
    graph: EgressGraph,
    policy: Policy,
    nat: NatGateway,
    address: PublicIp | PublicIpPrefix,
    problems: list[str],
) -> Finding:
    kind = "public IP prefix" if isinstance(address, PublicIpPrefix) else "public IP"
    return META.finding(
        resource_id=nat.id,
        message=(
            f"NAT gateway {nat.name} ({nat.sku or 'unknown SKU'}) uses {kind} {address.name}, "
            f"which the NAT gateway does not support: {'; '.join(problems)}."
        ),
        observed="; ".join(problems),
        expected=f"{nat.sku or 'matching'}-SKU, static, no routing preference Internet, no DDoS",
        evidence=(nat.id, address.id),
        key=address.id.key,
        remediation=_remediation(graph, policy, nat, address),
        details={"address": address.id.text},
    )


def _remediation(
    graph: EgressGraph, policy: Policy, nat: NatGateway, address: PublicIp | PublicIpPrefix
) -> str:
    sku = nat.sku or Sku.STANDARD
    new = f"{address.name}-{sku.value.lower()}"
    cidrs, _ = graph.cidrs((address.id,))
    change = egress_change(
        policy,
        served_clusters(graph, nat),
        f"of NAT gateway {nat.name}: {', '.join(cidrs) or address.name} gives way to the "
        f"address of the new {new}",
    )
    v6 = address.version is IpVersion.IPV6 or address.id.key in _v6_keys(nat)
    version = " --version IPv6" if v6 else ""
    if isinstance(address, PublicIpPrefix):
        create = (
            f"az network public-ip prefix create -g {nat.resource_group} -n {new}{version} "
            f"--length {address.prefix_length or (124 if v6 else 28)} --sku {sku}"
        )
        listed, option = (
            (nat.public_ip_prefix_v6_ids, "--pip-prefixes-v6")
            if v6
            else (nat.public_ip_prefix_ids, "--public-ip-prefixes")
        )
    else:
        create = (
            f"az network public-ip create -g {nat.resource_group} -n {new} --sku {sku}{version} "
            "--allocation-method Static"
        )
        listed, option = (
            (nat.public_ip_v6_ids, "--pip-addresses-v6")
            if v6
            else (nat.public_ip_ids, "--public-ip-addresses")
        )
    # The list option replaces the whole list: the other addresses of that list stay on it.
    names = [name_or_id(nat.resource_group, i) for i in listed if i.key != address.id.key]
    return change + command(
        f"{create} && az network nat gateway update -g {nat.resource_group} -n {nat.name} "
        f"{option} {' '.join([*names, new])}"
    )


def _v6_keys(nat: NatGateway) -> set[str]:
    return {i.key for i in (*nat.public_ip_v6_ids, *nat.public_ip_prefix_v6_ids)}


RULE = Rule(META, check)
