"""NAT008 idle-timeout-regression-after-lb-to-nat: egress moved to a NAT gateway with a shorter
idle timeout than the load balancer's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from auditor.arm import ResourceId
from auditor.enums import OutboundType
from auditor.fixtext import command
from auditor.graph.nodes import Cluster
from auditor.model import EgressKind, EgressPath, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._config import require_positive
from rules._egress import workload_path
from rules._text import source_link, urls


@dataclass(frozen=True, slots=True)
class Config:
    """NAT008 parameters, overridable under `rules: NAT008:` in the policy file."""

    # [AKS-LBCFG], [SDK]: AKS sets the load balancer outbound rule's idle timeout to 30 minutes
    # when `loadBalancerProfile.idleTimeoutInMinutes` is not given.
    aks_lb_default_idle_minutes: int = 30

    def __post_init__(self) -> None:
        require_positive(self, "aks_lb_default_idle_minutes")


META = RuleMeta(
    id="NAT008",
    name="idle-timeout-regression-after-lb-to-nat",
    title="Egress through a NAT gateway keeps the idle timeout workloads had on the load balancer",
    severity=Severity.MEDIUM,
    description=(
        "The cluster has a load balancer profile whose outbound idle timeout (AKS default 30 "
        "minutes) is longer than the idle timeout of the NAT gateway its workloads now egress "
        "through (default 4 minutes): connections that survived idle periods before are now "
        "silently dropped."
    ),
    help_markdown=(
        "AKS sets the load balancer outbound rule's idle timeout to 30 minutes "
        f"({source_link('AKS-LBCFG')}); a NAT gateway defaults to 4 ({source_link('NAT-RES')}). "
        "After moving egress from the load balancer to a NAT gateway (an outbound-type "
        f"migration, {source_link('AKS-OT')}, or a NAT gateway attached to the node subnet) "
        "flows idle between the two timeouts are dropped without notice; the next packet gets a "
        "reset.\n\n"
        "With outbound type `loadBalancer` and a NAT gateway on the node subnet, the load "
        "balancer rule is still there: its timeout is the profile's `idleTimeoutInMinutes`, "
        "else the AKS default (parameter `aks_lb_default_idle_minutes`). After a migration to "
        "a NAT outbound type, AKS no longer returns the profile's outbound settings and keeps "
        "inbound ones such as `backendPoolType` ([azure-rest-api-specs#22469]"
        "(https://github.com/Azure/azure-rest-api-specs/issues/22469)): "
        "only an explicit `idleTimeoutInMinutes` left in the profile is evidence of the old "
        "timeout, and a profile without one is not judged (DRF004 and DRF005 report the "
        "change against a baseline). Prefer "
        "keepalives shorter than the NAT timeout (see NAT007); raise the NAT timeout only if "
        f"unavoidable ({source_link('NAT-TSC')})."
    ),
    remediation=(
        "Set TCP keepalives below the NAT gateway's idle timeout in the workloads; last resort "
        "`az network nat gateway update -g <resource group> -n <NAT gateway> --idle-timeout "
        "<load balancer minutes>`"
    ),
    sources=urls("AKS-LBCFG", "NAT-RES", "AKS-OT", "NAT-TSC"),
    tags=("reliability", "networking", "nat-gateway", "idle-timeout", "migration"),
    precision="medium",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    owners = graph.managed_nat_owners()
    for cluster in graph.clusters():
        lb_minutes = _load_balancer_minutes(cluster, policy.config(META.id, Config, cluster))
        if lb_minutes is None:
            continue  # no load balancer outbound timeout to regress from
        shorter: dict[ResourceId, EgressPath] = {}
        pools: list[str] = []
        for pool in graph.pools(cluster):
            path = workload_path(graph, pool)  # workloads run in pods
            minutes = path.idle_timeout_minutes
            if path.kind is not EgressKind.NAT_GATEWAY or not path.device_id or minutes is None:
                continue
            if minutes < lb_minutes:
                shorter.setdefault(path.device_id, path)
                pools.append(pool.name)
        if not shorter:
            continue
        devices = sorted(shorter)
        paths = [shorter[device] for device in devices]
        nats = ", ".join(
            f"{device.name} ({shorter[device].idle_timeout_minutes} min)" for device in devices
        )
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name}'s load balancer profile keeps idle flows for "
                f"{lb_minutes} minutes, but node pools {', '.join(pools)} now egress through "
                f"NAT gateway {nats}: flows idle longer than that are silently dropped."
            ),
            observed=f"NAT idle timeout {min(p.idle_timeout_minutes or 0 for p in paths)} min",
            expected=f"{lb_minutes} min as on the load balancer, or keepalives below the NAT's",
            evidence=(cluster.id, *devices),
            remediation=_remediation(cluster, devices, paths, lb_minutes, owners),
        )


def _load_balancer_minutes(cluster: Cluster, config: Config) -> int | None:
    """The idle timeout the cluster's load balancer outbound rule has, or had: with outbound
    type loadBalancer the rule exists (AKS's 30 minutes unless the profile says). After a
    migration to a NAT outbound type AKS no longer returns the profile's outbound settings
    (azure-rest-api-specs#22469) and keeps only inbound ones such as `backendPoolType`: only
    an explicit `idleTimeoutInMinutes` left in the profile is evidence of the old timeout."""
    profile = cluster.load_balancer_profile
    explicit = None if profile is None else profile.idle_timeout_minutes
    if cluster.outbound is OutboundType.LOAD_BALANCER:
        return explicit or config.aks_lb_default_idle_minutes
    return explicit


def _remediation(
    cluster: Cluster,
    devices: list[ResourceId],
    paths: list[EgressPath],
    lb_minutes: int,
    owners: Mapping[ResourceId, Cluster],
) -> str:
    keepalive = min(p.idle_timeout_minutes or 4 for p in paths) * 60
    commands = []
    for device in devices:
        if device in owners:
            commands.append(
                f"az aks update -g {cluster.resource_group} -n {cluster.name} "
                f"--nat-gateway-idle-timeout {lb_minutes}"
            )
        else:
            nat = device.parts
            commands.append(
                f"az network nat gateway update -g {nat.resource_group} -n {nat.name} "
                f"--idle-timeout {lb_minutes}"
            )
    return (
        f"Set TCP keepalives below {keepalive} s in the workloads (see NAT007); last resort: "
        + command(" && ".join(commands))
    )


RULE = Rule(META, check, Config)
