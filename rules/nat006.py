"""NAT006 nat-idle-timeout-raised: a NAT idle timeout above the recommended default."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.arm import ResourceId
from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.managed import managed_nat_timeout
from auditor.graph.nodes import Cluster, NatGateway
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._config import require_positive
from rules._egress import scope_cluster, served_clusters
from rules._text import source_link, urls


@dataclass(frozen=True, slots=True)
class Config:
    """NAT006 thresholds, overridable under `rules: NAT006:` in the policy file."""

    # [NAT-RES]: TCP idle timeout 4–120 minutes, default 4; raising it is not recommended.
    recommended_idle_minutes: int = 4
    # Catalogue (egress-facts.md §8 NAT006): medium when the timeout exceeds 30 minutes.
    medium_above_minutes: int = 30

    def __post_init__(self) -> None:
        require_positive(self, "recommended_idle_minutes", "medium_above_minutes")


META = RuleMeta(
    id="NAT006",
    name="nat-idle-timeout-raised",
    title="NAT gateway idle timeouts stay at the recommended 4 minutes",
    severity=Severity.LOW,
    description=(
        "A NAT gateway's TCP idle timeout (or the managed NAT profile's) is raised above the "
        "4-minute default: idle flows hold their SNAT ports longer, which raises the risk of "
        "port exhaustion."
    ),
    help_markdown=(
        "The NAT gateway TCP idle timeout is 4 minutes by default and can be raised to 120 "
        f"({source_link('NAT-RES')}). Microsoft recommends against raising it: a longer timer "
        "holds SNAT ports of idle flows and increases the risk of exhaustion; use TCP "
        f"keepalives instead ({source_link('NAT-TSC')}). UDP stays at 4 minutes regardless.\n\n"
        "Severity is medium above 30 minutes. A workload that needs longer idle periods is "
        "NAT007's input; declare it there rather than raising the timeout. Both thresholds are "
        "rule parameters (`recommended_idle_minutes`, `medium_above_minutes`). An AKS-managed "
        "NAT gateway is reported on its cluster, whose `natGatewayProfile` sets the timeout."
    ),
    remediation=(
        "`az network nat gateway update -g <resource group> -n <NAT gateway> --idle-timeout 4` "
        "(for a managed NAT gateway `az aks update -g <resource group> -n <cluster> "
        "--nat-gateway-idle-timeout 4`), and TCP keepalives for long idle flows"
    ),
    sources=urls("NAT-RES", "NAT-TSC"),
    tags=("reliability", "networking", "nat-gateway", "idle-timeout"),
    precision="very-high",
    other_severities=(
        f"medium above {Config().medium_above_minutes} minutes (`medium_above_minutes`)"
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    owners = graph.managed_nat_owners()
    managed_nats: dict[ResourceId, list[NatGateway]] = {}
    for nat in graph.all(NatGateway):
        owner = owners.get(nat.id)
        if owner is not None:
            managed_nats.setdefault(owner.id, []).append(nat)
            continue
        config = policy.config(META.id, Config, scope_cluster(served_clusters(graph, nat)))
        minutes = nat.idle_timeout_minutes
        if minutes is None or minutes <= config.recommended_idle_minutes:
            continue
        yield META.finding(
            severity=_severity(minutes, config),
            resource_id=nat.id,
            message=(
                f"NAT gateway {nat.name} has a TCP idle timeout of {minutes} minutes, above the "
                f"recommended {config.recommended_idle_minutes}: idle flows hold SNAT ports "
                "longer."
            ),
            observed=f"idleTimeoutInMinutes={minutes}",
            expected=f"idleTimeoutInMinutes≤{config.recommended_idle_minutes} and TCP keepalives",
            evidence=(nat.id,),
            remediation=command(
                f"az network nat gateway update -g {nat.resource_group} -n {nat.name} "
                f"--idle-timeout {config.recommended_idle_minutes}"
            )
            + ", and TCP keepalives in workloads with long idle flows",
        )
    for cluster in graph.clusters():
        if cluster.is_managed_nat:
            yield from _managed(graph, cluster, managed_nats.get(cluster.id, []), policy)


def _managed(
    graph: EgressGraph, cluster: Cluster, nats: list[NatGateway], policy: Policy
) -> Iterator[Finding]:
    """The timeout the AKS-managed gateway enforces: its own value when read (NAT013 reports a
    profile that says otherwise), else the cluster's natGatewayProfile."""
    config = policy.config(META.id, Config, cluster)
    timeout = managed_nat_timeout(graph, cluster)
    minutes = timeout.minutes
    source = (
        "idleTimeoutInMinutes of its managed NAT gateway"
        if timeout.gateways
        else "natGatewayProfile.idleTimeoutInMinutes"
    )
    if minutes <= config.recommended_idle_minutes:
        return
    yield META.finding(
        severity=_severity(minutes, config),
        resource_id=cluster.id,
        message=(
            f"Cluster {cluster.name}'s managed NAT gateway has a TCP idle timeout of {minutes} "
            f"minutes ({source}), above the recommended {config.recommended_idle_minutes}: idle "
            "flows hold SNAT ports longer."
        ),
        observed=f"{source}={minutes}",
        expected=f"idle timeout ≤{config.recommended_idle_minutes} and TCP keepalives",
        evidence=(cluster.id, *(nat.id for nat in nats)),
        remediation=command(
            f"az aks update -g {cluster.resource_group} -n {cluster.name} "
            f"--nat-gateway-idle-timeout {config.recommended_idle_minutes}"
        )
        + ", and TCP keepalives in workloads with long idle flows",
    )


def _severity(minutes: int, config: Config) -> Severity:
    return Severity.MEDIUM if minutes > config.medium_above_minutes else META.severity


RULE = Rule(META, check, Config)
