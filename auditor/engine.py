"""Run the rules over an estate and a policy; a rule that raises becomes an error, not a crash.

Suppressions from the policy apply after the rules ran: a suppressed finding stays in the
result, marked, and does not count for `--fail-on` (AuditResult.active_findings)."""

from __future__ import annotations

from collections.abc import Sequence

from auditor import __version__, arm, suppress
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Subnet
from auditor.model import Finding, Rule, RuleError
from auditor.policy import Policy
from auditor.result import AuditResult, ClusterEgress, PoolEgress
from auditor.snapshot import Snapshot


def run_rules(
    graph: EgressGraph, policy: Policy, rules: Sequence[Rule]
) -> tuple[list[Finding], list[RuleError]]:
    findings: list[Finding] = []
    errors: list[RuleError] = []
    for rule in rules:
        if rule.meta.id in policy.disabled_rules:
            continue
        try:
            findings.extend(rule.check(graph, policy))
        except Exception as exc:  # a broken rule must not hide the others' findings
            errors.append(RuleError(rule.meta.id, f"{type(exc).__name__}: {exc}"))
    findings = suppress.apply(findings, policy.suppressions, graph.as_of)
    findings.sort(key=Finding.sort_key)
    return findings, errors


def audit(
    snap: Snapshot,
    policy: Policy,
    rules: Sequence[Rule],
    graph: EgressGraph | None = None,
    *,
    release_rows: bool = False,
) -> AuditResult:
    """Audit an estate. `graph` is the snapshot's graph when the caller built it already
    (drift uses it too); otherwise it is built here, and `release_rows` frees the snapshot's
    raw rows once parsed (see build_graph)."""
    if graph is None:
        graph = EgressGraph.from_snapshot(snap, release_rows=release_rows)
    findings, errors = run_rules(graph, policy, rules)
    return AuditResult(
        tool_version=__version__,
        source=snap.source,
        collected_at=snap.collected_at,
        scope=snap.scope,
        clusters=egress_view(graph),
        rules=tuple(r.meta for r in rules if r.meta.id not in policy.disabled_rules),
        findings=tuple(findings),
        rule_errors=tuple(errors),
        collection_errors=snap.errors,
        warnings=(
            *snap.warnings,
            *policy.warnings,
            *unmatched_policy_warnings(graph, policy),
            *suppress.unmatched_warnings(graph, policy.suppressions, findings),
        ),
        unknown_ids=tuple(sorted({u.id for u in graph.unknowns()}, key=arm.key)),
    )


def egress_view(graph: EgressGraph) -> tuple[ClusterEgress, ...]:
    views = []
    for cluster in graph.clusters():
        pools = []
        for pool in graph.pools(cluster):
            subnet = graph.node_subnet(pool)
            pools.append(
                PoolEgress(
                    id=pool.id,
                    name=pool.name,
                    mode=pool.mode,
                    os_type=pool.os_type,
                    count=pool.count,
                    power_state=pool.power_state,
                    node_subnet_id=subnet.id if isinstance(subnet, Subnet) else pool.vnet_subnet_id,
                    egress=graph.egress(pool),
                    pod_subnet_id=pool.pod_subnet_id,
                    pod_egress=graph.pod_egress(pool),
                )
            )
        views.append(
            ClusterEgress(
                id=cluster.id,
                name=cluster.name,
                subscription_id=cluster.subscription_id,
                resource_group=cluster.resource_group,
                location=cluster.location,
                outbound_type=cluster.outbound_type,
                network_plugin=cluster.network_plugin,
                network_plugin_mode=cluster.network_plugin_mode,
                power_state=cluster.power_state,
                pools=tuple(pools),
            )
        )
    return tuple(views)


def unmatched_policy_warnings(graph: EgressGraph, policy: Policy) -> list[str]:
    clusters = graph.clusters()
    warnings = []
    for index, entry in enumerate(policy.clusters):
        if not any(entry.selector.matches(c) for c in clusters):
            where = f"{entry.location.path}:{entry.location.line}: " if entry.location else ""
            warnings.append(
                f"{where}clusters[{index}] matches no cluster ({entry.selector.describe()})"
            )
    return warnings
