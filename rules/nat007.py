"""NAT007 nat-idle-timeout-below-workload: the egress device drops flows a workload keeps idle."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.nodes import Cluster, NodePool
from auditor.model import EgressKind, EgressPath, Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Workload
from rules._text import pool_label, source_link, urls

MAX_IDLE_MINUTES = 120  # [NAT-RES], [AKS-LBCFG]: idle timeouts are configurable up to 120

META = RuleMeta(
    id="NAT007",
    name="nat-idle-timeout-below-workload",
    title="The egress idle timeout outlasts the longest idle period a workload declares",
    severity=Severity.MEDIUM,
    description=(
        "A workload declares that its connections stay idle at least as long as the idle timeout "
        "of the device its node pool egresses through; the device silently drops such flows."
    ),
    help_markdown=(
        "When a flow stays idle past the idle timeout, the NAT gateway drops it silently; the "
        "next packet from either side gets a TCP reset ([NAT-RES]). The NAT gateway default is "
        f"4 minutes ({source_link('NAT-RES')}), a node's instance-level public IP is fixed at "
        f"4 minutes ({source_link('PIP')}) and the AKS load balancer outbound rule is 30 minutes "
        f"({source_link('AKS-LBCFG')}). Linux's default TCP keepalive (7200 s) never fires in "
        f"time ({source_link('AKS-KA')}).\n\n"
        "Fix it in the workload first: a TCP keepalive (or gRPC/HTTP2 ping) shorter than the "
        "timeout, e.g. the pod sysctl `net.ipv4.tcp_keepalive_time`. Raising the timeout "
        "(at most 120 minutes) is the last resort: it holds SNAT ports longer "
        f"({source_link('NAT-TSC')}).\n\n"
        "Workload needs come from the policy file (`max_idle_seconds`); the finding points at "
        "the declaration."
    ),
    remediation=(
        "Set a TCP keepalive below the timeout in the workload; as a last resort "
        "`az network nat gateway update -g <resource group> -n <NAT gateway> "
        "--idle-timeout <minutes>`"
    ),
    sources=urls("NAT-RES", "PIP", "AKS-LBCFG", "AKS-KA", "NAT-TSC"),
    tags=("reliability", "networking", "egress", "idle-timeout"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for cluster in graph.clusters():
        workloads = [w for w in policy.workloads(cluster) if w.max_idle_seconds is not None]
        if not workloads:
            continue
        needy = max(workloads, key=lambda w: (w.max_idle_seconds or 0, w.name))
        needed = needy.max_idle_seconds or 0
        for pool in graph.pools(cluster):
            # Workloads run in pods: a separate pod subnet decides their egress.
            path = graph.pod_egress(pool) or graph.egress(pool)
            timeout = path.idle_timeout_minutes
            if timeout is None or needed < timeout * 60:
                continue  # unknown devices (appliances, default outbound) are not judged
            yield META.finding(
                resource_id=pool.id,
                message=(
                    f"{pool_label(cluster, pool)} egresses through {path.describe()}, whose "
                    f"idle timeout of {timeout} minutes ({timeout * 60} s) does not outlast "
                    f"workload {needy.name}, which stays idle up to {needed} s."
                ),
                observed=f"idle timeout {timeout * 60} s",
                expected=f"idle timeout above {needed} s, or a keepalive below {timeout * 60} s",
                evidence=(cluster.id, pool.id, *path.hop_ids),
                location=needy.location,
                remediation=_remediation(cluster, pool, path, needy),
                details={"workload": needy.name, "maxIdleSeconds": str(needed)},
            )


def _remediation(cluster: Cluster, pool: NodePool, path: EgressPath, workload: Workload) -> str:
    minutes = min(MAX_IDLE_MINUTES, (workload.max_idle_seconds or 0) // 60 + 1)
    keepalive = (
        f"Set a TCP keepalive below {(path.idle_timeout_minutes or 4) * 60} s in {workload.name} "
        "(pod sysctl net.ipv4.tcp_keepalive_time); last resort: "
    )
    if path.kind is EgressKind.NAT_GATEWAY and path.device_id:
        managed = cluster.is_managed_nat
        if managed:
            return keepalive + command(
                f"az aks update -g {cluster.resource_group} -n {cluster.name} "
                f"--nat-gateway-idle-timeout {minutes}"
            )
        nat = path.device_id.parts
        return keepalive + command(
            f"az network nat gateway update -g {nat.resource_group} -n {nat.name} "
            f"--idle-timeout {minutes}"
        )
    if path.kind is EgressKind.LOAD_BALANCER:
        return keepalive + command(
            f"az aks update -g {cluster.resource_group} -n {cluster.name} "
            f"--load-balancer-idle-timeout {minutes}"
        )
    return (
        f"Set a TCP keepalive below {(path.idle_timeout_minutes or 4) * 60} s in "
        f"{workload.name}: the 4-minute timeout of node pool {pool.name}'s public IPs is fixed."
    )


RULE = Rule(META, check)
