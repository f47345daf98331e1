"""LB004 load-balancing-rule-snat: services' frontends are hidden egress addresses."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.graph.nodes import Cluster, NodePool, Subnet
from auditor.model import EgressKind, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import explicit_egress_fix
from rules._text import source_link, urls

META = RuleMeta(
    id="LB004",
    name="load-balancing-rule-snat",
    title="Node pools do not leave from load-balancing rule frontends nobody allowlisted",
    severity=Severity.MEDIUM,
    description=(
        "The cluster's load balancer has load-balancing rules (Kubernetes services of type "
        "LoadBalancer) without disableOutboundSnat: each of their public frontends is an "
        "address the nodes may leave from, beside the egress IPs destinations allowlist."
    ),
    help_markdown=(
        "A load-balancing rule that does not disable outbound SNAT lets its backend pool use "
        f"the rule's frontend IP for outbound connections ({source_link('LB-OR')}, "
        f"{source_link('LB-OUT')}). Every node of an AKS cluster sits in the `kubernetes` load "
        "balancer's backend pool, so every public frontend of a service then becomes a "
        "possible source address of any node, and services come and go "
        f"({source_link('K8S-75281')}, {source_link('CPA-203')}). Destinations that allowlist "
        "only the outbound IPs refuse some connections, at random.\n\n"
        "A NAT gateway on the node subnet takes over outbound traffic from load-balancing "
        f"rules ({source_link('NAT-DES')}); a route to a firewall does too. The load balancer "
        "is AKS-managed: change its rules through Kubernetes, not the Azure CLI. The "
        "frontends also count for API001, EGR010 and DRF001."
    ),
    remediation=(
        "Attach a NAT gateway to the node subnets (it takes over outbound traffic from the "
        "load-balancing rules), or add the frontends to every destination allowlist"
    ),
    sources=urls("LB-OR", "LB-OUT", "K8S-75281", "CPA-203", "NAT-DES"),
    tags=("security", "networking", "load-balancer", "egress", "allowlist"),
    precision="high",
)

# A Basic load balancer leaves only from its rules' frontends: LB003 reports it.
JUDGED = frozenset({EgressKind.LOAD_BALANCER, EgressKind.LOAD_BALANCING_RULES})


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        judged = [
            (p, path)
            for p in graph.pools(cluster)
            if (path := graph.egress(p)).may_leave_from and path.kind in JUDGED
        ]
        if not judged:
            continue
        pools = [p for p, _ in judged]
        paths = [path for _, path in judged]
        snat = graph.snat_frontends(cluster)
        frontends = sorted({c for path in paths for c in path.may_leave_from})
        outbound = sorted({c for path in paths for c in path.public_ips or ()})
        beside = f", beside its outbound IPs {', '.join(outbound)}" if outbound else ""
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Node pool{'s' if len(pools) > 1 else ''} {', '.join(p.name for p in pools)} "
                f"of cluster {cluster.name} may "
                f"leave from {', '.join(frontends)}, the frontends of load-balancing rules "
                f"{snat.rules_text} without disableOutboundSnat{beside}."
            ),
            observed=f"may leave from {', '.join(frontends)}",
            expected="egress only from the declared outbound addresses",
            evidence=(cluster.id, *((snat.balancer_id,) if snat.balancer_id else ())),
            remediation=_remediation(ctx, cluster, pools[0], frontends),
            details={"frontends": ", ".join(frontends), "rules": ", ".join(snat.rule_names)},
        )


def _remediation(ctx: RuleContext, cluster: Cluster, pool: NodePool, frontends: list[str]) -> str:
    allowlist = f"add {', '.join(frontends)} to every destination allowlist and to allowed_egress"
    subnet = ctx.graph.node_subnet(pool)
    if not isinstance(subnet, Subnet):
        return f"Attach a NAT gateway to the node subnets, or {allowlist}"
    nat = explicit_egress_fix(ctx.graph, ctx.policy, cluster, subnet, ctx.graph.egress(pool))
    takes_over = "a NAT gateway takes over outbound traffic from load-balancing rules"
    return f"{nat} ({takes_over}); or {allowlist}"


RULE = Rule(META, check)
