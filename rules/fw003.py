"""FW003 udr-firewall-with-public-lb-services: a cluster routed through a firewall also
publishes services on a public load balancer, whose replies the firewall drops."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.wording import first_few
from rules._text import source_link, urls

META = RuleMeta(
    id="FW003",
    name="udr-firewall-with-public-lb-services",
    title="Clusters routed through a firewall do not publish services on a public load balancer",
    severity=Severity.MEDIUM,
    description=(
        "Node pools send 0.0.0.0/0 to a firewall or appliance, and the cluster's load balancer "
        "has public frontends serving Kubernetes services: requests arrive on the public IP, "
        "replies leave through the firewall, which drops them (asymmetric routing)."
    ),
    help_markdown=(
        "With a default route to the firewall's private IP, the reply to a request that came "
        "in through a public load balancer (an ingress, or a service of type LoadBalancer) "
        "leaves through the firewall; the firewall is stateful, has seen no session, and drops "
        f"it ({source_link('AKS-FW')}). Publish such services through an internal load "
        f"balancer with a DNAT rule on the firewall ({source_link('FW-LB')}).\n\n"
        "A public frontend counts when a load-balancing rule of the `kubernetes` load balancer "
        "in the node resource group uses it."
    ),
    remediation=(
        "Expose the services on an internal load balancer (annotation "
        'service.beta.kubernetes.io/azure-load-balancer-internal: "true") and publish them '
        "with a DNAT rule on the firewall"
    ),
    sources=urls("AKS-FW", "FW-LB"),
    tags=("reliability", "networking", "firewall", "routing"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        routed = [p for p in graph.pools(cluster) if graph.egress(p).kind.is_appliance_route]
        if not routed:
            continue
        balancer = graph.aks_load_balancer(cluster)
        if balancer is None:
            continue
        public = sorted(
            {
                rule.name
                for rule in balancer.rules
                if rule.frontend_id is not None
                and balancer.frontend_address_id(rule.frontend_id) is not None
            }
        )
        if not public:
            continue
        names = ", ".join(p.name for p in routed)
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Node pools {names} of cluster {cluster.name} route 0.0.0.0/0 to a firewall, "
                f"and its load balancer {balancer.name} publishes services on public frontends "
                f"(rules {first_few(public)}): replies to those services leave through the "
                "firewall, which drops them."
            ),
            observed=f"{len(public)} load-balancing rules on public frontends",
            expected="services behind an internal load balancer and a firewall DNAT rule",
            evidence=(cluster.id, balancer.id, *(p.id for p in routed)),
            remediation=(
                f"{META.remediation}; until then replies through {balancer.name}'s public "
                "frontends are dropped"
            ),
            details={"rules": ", ".join(public)},
        )


RULE = Rule(META, check)
