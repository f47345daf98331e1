"""Run the rules over an estate, a policy and optionally a baseline; a rule that raises becomes
an error, not a crash.

Suppressions from the policy apply after the rules ran: a suppressed finding stays in the
result, marked, and does not count for `--fail-on` (AuditResult.active_findings)."""

from __future__ import annotations

from collections.abc import Sequence

from auditor import __version__, drift, suppress
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Subnet
from auditor.history import History
from auditor.model import Finding, Rule, RuleContext, RuleError
from auditor.policy import Policy
from auditor.result import AuditResult, ClusterEgress, PoolEgress
from auditor.snapshot import Snapshot
from auditor.workload_egress import workload_paths


def run_rules(
    context: RuleContext, rules: Sequence[Rule], changes: History | None = None
) -> tuple[list[Finding], list[RuleError]]:
    """The one rule loop: every enabled rule that can run (drift rules need a baseline), a rule
    that raises recorded as an error; then drift attribution from `changes`, then the policy's
    suppressions, once, judged on the day the estate was read."""
    findings: list[Finding] = []
    errors: list[RuleError] = []
    ran = runnable(rules, context)
    for rule in ran:
        try:
            findings.extend(rule.check(context))
        except Exception as exc:  # a broken rule must not hide the others' findings
            errors.append(RuleError(rule.meta.id, f"{type(exc).__name__}: {exc}"))
    if changes is not None:
        findings = drift.attribute_all(findings, ran, changes)
    findings = suppress.apply(findings, context.policy.suppressions, context.graph.as_of)
    findings.sort(key=Finding.sort_key)
    return findings, errors


def runnable(rules: Sequence[Rule], context: RuleContext) -> list[Rule]:
    return [
        rule
        for rule in rules
        if rule.meta.id not in context.policy.disabled_rules
        and (context.drift is not None or not rule.meta.needs_baseline)
    ]


def audit(
    snap: Snapshot,
    policy: Policy,
    rules: Sequence[Rule],
    graph: EgressGraph | None = None,
    *,
    baseline: Snapshot | None = None,
    baseline_graph: EgressGraph | None = None,
) -> AuditResult:
    """Audit an estate, and its drift since `baseline` when one is given. `graph` and
    `baseline_graph` are the snapshots' graphs when the caller built them already; otherwise
    they are built here."""
    if graph is None:
        graph = EgressGraph.from_snapshot(snap)
    comparison = changes = None
    warnings: list[str] = []
    if baseline is not None:
        comparison = drift.Comparison.of(baseline, snap, graph, baseline_graph)
        changes = drift.change_history(baseline, snap)
        warnings = drift.baseline_warnings(baseline, snap)
    context = RuleContext(graph, policy, comparison)
    findings, errors = run_rules(context, rules, changes)
    return AuditResult(
        tool_version=__version__,
        source=snap.source,
        collected_at=snap.collected_at,
        scope=snap.scope,
        clusters=egress_view(graph, policy),
        rules=tuple(rule.meta for rule in runnable(rules, context)),
        findings=tuple(findings),
        rule_errors=tuple(errors),
        collection_errors=snap.errors,
        warnings=(
            *snap.warnings,
            *policy.warnings,
            *unmatched_policy_warnings(graph, policy),
            *suppress.unmatched_warnings(graph, policy.suppressions, findings),
            *warnings,
        ),
        unknown_ids=tuple(sorted({u.id for u in graph.unknowns()})),
        baseline=None if baseline is None else baseline.source,
    )


def egress_view(graph: EgressGraph, policy: Policy) -> tuple[ClusterEgress, ...]:
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
                workloads=workload_paths(graph, policy, cluster),
            )
        )
    return tuple(views)


def unmatched_policy_warnings(graph: EgressGraph, policy: Policy) -> list[str]:
    warnings = []
    for index in policy.unmatched_entries(graph.clusters()):
        entry = policy.clusters[index]
        where = f"{entry.location.path}:{entry.location.line}: " if entry.location else ""
        warnings.append(
            f"{where}clusters[{index}] matches no cluster ({entry.selector.describe()})"
        )
    return warnings
