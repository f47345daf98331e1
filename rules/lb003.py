"""LB003 basic-load-balancer: clusters use the Standard load balancer, not the retired Basic."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import LoadBalancerSku
from auditor.fixtext import command
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import egress_change, source_link, urls

META = RuleMeta(
    id="LB003",
    name="basic-load-balancer",
    title="Clusters use the Standard load balancer SKU, not the retired Basic SKU",
    severity=Severity.CRITICAL,
    description=(
        "The cluster uses the Basic load balancer SKU, which AKS stopped supporting on "
        "30 September 2025; NAT gateways, authorized IP ranges and outbound rules need Standard."
    ),
    help_markdown=(
        "AKS no longer supports the Basic load balancer since **30 September 2025** "
        f"({source_link('AKS-BLB')}, {source_link('GH-RN')}). Basic public IPs and a Basic load "
        f"balancer cannot share a subnet with a NAT gateway ({source_link('NAT-RES')}), API "
        f"server authorized IP ranges need the Standard load balancer ({source_link('AKS-AUTH')}) "
        "and outbound type selection needs it too "
        f"({source_link('AKS-OT')}).\n\n"
        "The migration (`az aks update --load-balancer-sku standard`, behind the "
        "`BasicLBMigrationToStandardLBPreview` feature flag) needs planned downtime and cannot "
        "be rolled back once started; read the AKS migration guide first."
    ),
    remediation="az aks update -g <resource group> -n <cluster> --load-balancer-sku standard",
    sources=urls("AKS-BLB", "GH-RN", "NAT-RES", "AKS-AUTH", "AKS-OT"),
    tags=("security", "reliability", "networking", "load-balancer", "lifecycle"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if cluster.load_balancer_sku is not LoadBalancerSku.BASIC:
            continue
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} uses the Basic load balancer SKU, which AKS no longer "
                "supports since 2025-09-30."
            ),
            observed=f"loadBalancerSku={cluster.load_balancer_sku}",
            expected="loadBalancerSku=standard",
            evidence=(cluster.id,),
            remediation=egress_change(
                ctx.policy,
                [cluster],
                f"of cluster {cluster.name}: from the Basic load balancer's frontend IPs "
                "(implicit SNAT) to the outbound IP AKS gives the Standard load balancer",
            )
            + "Plan downtime, then migrate: "
            + command(
                f"az aks update -g {cluster.resource_group} -n {cluster.name} "
                "--load-balancer-sku standard"
            ),
        )


RULE = Rule(META, check)
