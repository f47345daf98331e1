"""FW002 firewall-missing-aks-rules: a firewall in a cluster's egress path does not allow what
AKS nodes must reach."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.nodes import FirewallRule
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._firewall import FirewallUse, firewall_uses
from rules._text import source_link, urls

AKS_FQDN_TAG = "azurekubernetesservice"
# [AKS-FQDN]: the global required FQDNs (HTTPS 443); `*.hcp.<region>.azmk8s.io` is the API
# server's, which private clusters do not need.
REQUIRED_FQDNS = (
    "mcr.microsoft.com",
    "x.data.mcr.microsoft.com",
    "management.azure.com",
    "login.microsoftonline.com",
    "packages.microsoft.com",
    "acs-mirror.azureedge.net",
)

META = RuleMeta(
    id="FW002",
    name="firewall-missing-aks-rules",
    title="Azure Firewalls in a cluster's egress path allow what AKS nodes must reach",
    severity=Severity.HIGH,
    description=(
        "Node pools leave through an Azure Firewall whose rules allow neither the "
        "AzureKubernetesService FQDN tag nor the FQDNs AKS requires: nodes cannot pull system "
        "images, reach Microsoft Entra ID or Azure Resource Manager, and fail to provision or "
        "upgrade."
    ),
    help_markdown=(
        "A cluster whose egress goes through Azure Firewall needs an application rule that "
        "allows the `AzureKubernetesService` FQDN tag (it holds every FQDN AKS requires and is "
        f"updated by Microsoft), or the required FQDNs themselves ({source_link('AKS-FW')}, "
        f"{source_link('AKS-FQDN')}). The network rules UDP 1194 and TCP 9000 to "
        "`AzureCloud.<region>` are no longer required for clusters with the konnectivity "
        f"agent, nor for private clusters ({source_link('AKS-FQDN')}), so they are not "
        "judged.\n\n"
        "Classic rules are part of the firewall's own Resource Graph row and are judged. The "
        "rules of a firewall policy live in its rule collection groups, which Resource Graph "
        f"does not hold ({source_link('ARG-TABLES')}): for a policy-based firewall this rule "
        "reports, at severity info, that it could not judge the rules, naming the policy. "
        "Check its rule collection groups by hand or suppress the finding with a justification."
    ),
    remediation=(
        "Allow the AzureKubernetesService FQDN tag over HTTP/HTTPS from the node subnets, in a "
        "classic application rule collection or in the firewall policy"
    ),
    sources=urls("AKS-FW", "AKS-FQDN", "ARG-TABLES"),
    tags=("reliability", "networking", "firewall", "egress"),
    precision="high",
    other_severities="info when the rules are in a firewall policy Resource Graph does not hold",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for use in firewall_uses(ctx.graph):
        firewall = use.firewall
        if firewall.policy_id is not None:
            yield _unjudged(use)
        elif not _allows_aks(firewall.classic_rules):
            yield _missing(use)


def _allows_aks(rules: tuple[FirewallRule, ...]) -> bool:
    allowed = [r for r in rules if r.kind == "application" and r.action.lower() == "allow"]
    if any(AKS_FQDN_TAG in (tag.lower() for tag in r.fqdn_tags) for r in allowed):
        return True
    patterns = [fqdn.lower() for r in allowed for fqdn in r.destinations]
    return all(any(fnmatch.fnmatch(fqdn, p) for p in patterns) for fqdn in REQUIRED_FQDNS)


def _unjudged(use: FirewallUse) -> Finding:
    firewall = use.firewall
    policy = firewall.policy_id
    assert policy is not None  # noqa: S101 - checked by the caller
    return META.finding(
        severity=Severity.INFO,
        resource_id=firewall.id,
        message=(
            f"Azure Firewall {firewall.name} carries the egress of node pools "
            f"{use.pool_names()} under firewall policy {policy.name}, whose rule collection "
            "groups Resource Graph does not hold: whether it allows what AKS requires is "
            "unknown."
        ),
        observed="rules unknown (firewall policy rule collection groups are not in Resource Graph)",
        expected="an application rule allowing the AzureKubernetesService FQDN tag",
        evidence=(firewall.id, policy),
        key="policy-unread",
        remediation=(
            f"Check that a rule collection group of policy {policy.name} allows the "
            "AzureKubernetesService FQDN tag from the node subnets and suppress this finding "
            "with that justification; if none does, add one: "
            + command(
                f"az network firewall policy rule-collection-group collection "
                f"add-filter-collection -g {policy.parts.resource_group} --policy-name "
                f"{policy.name} --rcg-name <rule collection group> -n aks-required "
                "--collection-priority <free priority> --action Allow --rule-name aks-fqdn-tag "
                f"--rule-type ApplicationRule --source-addresses {_sources(use)} --protocols "
                "Http=80 Https=443 --fqdn-tags AzureKubernetesService"
            )
        ),
    )


def _sources(use: FirewallUse) -> str:
    """The address prefixes of the subnets whose traffic reaches the firewall."""
    prefixes = sorted({p for subnet in use.subnets.values() for p in subnet.address_prefixes})
    return " ".join(prefixes) or "<node subnet prefixes>"


def _missing(use: FirewallUse) -> Finding:
    firewall = use.firewall
    return META.finding(
        resource_id=firewall.id,
        message=(
            f"Azure Firewall {firewall.name} carries the egress of node pools "
            f"{use.pool_names()}, but no classic application rule allows the "
            "AzureKubernetesService FQDN tag or the FQDNs AKS requires "
            f"({', '.join(f for f in REQUIRED_FQDNS if not f.startswith('x.'))} and "
            "*.data.mcr.microsoft.com)."
        ),
        observed="no allow rule for the AzureKubernetesService FQDN tag",
        expected="an application rule allowing the AzureKubernetesService FQDN tag",
        evidence=(firewall.id, *(p.id for _, p, _ in use.pools)),
        remediation=(
            "Allow the AzureKubernetesService FQDN tag over HTTP/HTTPS from the node subnets: "
            f"add a classic application rule collection to firewall {firewall.name} in "
            f"resource group {firewall.resource_group}, or move the firewall to a firewall "
            "policy with such a rule"
        ),
    )


RULE = Rule(META, check)
