"""SEG002 static-egress-gateway-unsupported: a static egress gateway with what it does not
support."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import OsType
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import aks_update
from rules._text import source_link, urls

META = RuleMeta(
    id="SEG002",
    name="static-egress-gateway-unsupported",
    title="Static egress gateways are not combined with what they do not support",
    severity=Severity.HIGH,
    description=(
        "The cluster uses the static egress gateway with Azure CNI pod subnet pools, or with a "
        "Windows gateway pool: AKS does not support either, so annotated pods do not get the "
        "static egress addresses they are configured for."
    ),
    help_markdown=(
        'The static egress gateway "isn\'t supported in clusters with Azure CNI Pod Subnet", '
        'and "Windows node pools can\'t be used as gateway node pools" '
        f"({source_link('AKS-SEG')}). A pool with `podSubnetID` is a pod subnet pool.\n\n"
        "Dual-stack is not judged: no AKS document or CLI check states it unsupported."
    ),
    remediation=(
        "Give the workloads fixed addresses another way (a NAT gateway per subnet) and turn "
        "the gateway off (Azure CLI 2.75.0 or later): `az aks update -g <resource group> -n "
        "<cluster> --disable-static-egress-gateway`"
    ),
    sources=urls(
        "AKS-SEG",
    ),
    tags=("reliability", "networking", "egress", "static-egress-gateway"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        pools = graph.pools(cluster)
        gateways = [p for p in pools if p.is_gateway]
        if not cluster.static_egress_gateway and not gateways:
            continue
        pod_subnet = [p.name for p in pools if p.pod_subnet_id is not None]
        windows = [p.name for p in gateways if p.os_type is OsType.WINDOWS]
        problems = []
        if pod_subnet:
            problems.append(f"Azure CNI pod subnet pools ({', '.join(pod_subnet)})")
        if windows:
            problems.append(f"Windows gateway pools ({', '.join(windows)})")
        if not problems:
            continue
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} uses the static egress gateway with "
                f"{' and '.join(problems)}, which AKS does not support: annotated pods do not "
                "get their static egress addresses."
            ),
            observed="; ".join(problems),
            expected="no pod subnet pools and Linux gateway pools",
            evidence=(cluster.id, *(p.id for p in pools if p.name in {*pod_subnet, *windows})),
            remediation=(
                "Give the workloads fixed addresses another way (a NAT gateway on their "
                "subnet) and turn the gateway off (Azure CLI 2.75.0 or later): "
                + aks_update(cluster, "--disable-static-egress-gateway")
            ),
        )


RULE = Rule(META, check)
