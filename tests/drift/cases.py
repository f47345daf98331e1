"""Drift rule cases: a baseline estate, a current estate, and the exact findings expected.

Every drift rule has `tests/drift/test_<id>.py` with a module-level `CASES` list; each case
names the exact (subject, key) pairs that must be reported with their before/after values,
and subjects that must not be. tests/drift/test_catalogue.py checks every drift rule has a
case that fires and one that does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor import arm, drift, engine
from auditor import policy as policy_module
from auditor.graph.estate import EgressGraph
from auditor.model import Finding, Rule, RuleContext, Severity
from auditor.policy import Policy
from auditor.snapshot import Snapshot
from tests import estate_builder as b

BASELINE_AT = "2026-11-13T06:00:00Z"
CURRENT_AT = "2026-11-20T06:00:00Z"

NAT_A = b.nat_id("ng-a")
NAT_B = b.nat_id("ng-b")
PIP1, PIP2, PIP3 = b.pip_id("pip-1"), b.pip_id("pip-2"), b.pip_id("pip-3")
NODES = b.subnet_id("vnet", "nodes")
OTHER = b.subnet_id("vnet", "other")
PODS = b.subnet_id("vnet", "pods")
VNET = b.vnet_id("vnet")
RT = b.route_table_id("rt")
CLUSTER = b.cluster_id("aks")
SYS = b.pool_id("aks", "sys")
USER = b.pool_id("aks", "user")
OUT_OF_SCOPE_PIP = b.pip_id("far", rg="rg-x")

ALLOWLIST_POLICY = """
clusters:
  - match: {id: "*/managedclusters/aks"}
    allowed_egress: ["20.0.0.0/24"]
"""


def default_pools() -> list[dict[str, Any]]:
    return [b.pool("sys", NODES), b.pool("user", NODES, mode="User")]


def estate(
    *,
    pools: list[dict[str, Any]] | None = None,
    nodes_nat: str | None = NAT_A,
    other_nat: str | None = NAT_B,
    pods_nat: str | None = NAT_A,
    nat_a_ips: tuple[str, ...] = (PIP1,),
    nat_a_idle: int | None = 4,
    nodes_route: bool = False,
    cluster: dict[str, Any] | None = None,
    at: str = CURRENT_AT,
    changes: list[dict[str, Any]] | None = None,
) -> b.Estate:
    """One VNet (subnets nodes, other, pods), NAT gateways ng-a and ng-b, three public IPs,
    an appliance route table, and cluster aks with pools sys and user in `nodes`."""
    rows = b.Estate(collected_at=at, changes=list(changes or [])).add(
        b.vnet(
            "vnet",
            [
                b.subnet(
                    "nodes",
                    "vnet",
                    "10.1.0.0/16",
                    nat=nodes_nat,
                    route_table=RT if nodes_route else None,
                ),
                b.subnet("other", "vnet", "10.2.0.0/16", nat=other_nat),
                b.subnet("pods", "vnet", "10.3.0.0/16", nat=pods_nat),
            ],
        ),
        b.nat("ng-a", ips=nat_a_ips, idle=nat_a_idle),
        b.nat("ng-b", ips=(PIP3,)),
        b.public_ip("pip-1", "20.0.0.1"),
        b.public_ip("pip-2", "20.0.0.2"),
        b.public_ip("pip-3", "20.0.0.3"),
        b.route_table("rt", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")]),
        cluster or b.cluster("aks", pools if pools is not None else default_pools()),
    )
    return rows


def baseline(**kwargs: Any) -> b.Estate:
    return estate(at=BASELINE_AT, **kwargs)


@dataclass
class DriftCase:
    name: str
    before: b.Estate
    after: b.Estate
    # (subject ID, finding key) → (details["before"], details["after"])
    expected: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    passes: set[str] = field(default_factory=set)
    policy: str = ""
    severities: dict[tuple[str, str], Severity] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def detect(
    before: Snapshot, after: Snapshot, policy: Policy, rules: Sequence[Rule]
) -> list[Finding]:
    """The drift findings of `rules` between two snapshots, as the engine runs them."""
    graph = EgressGraph.from_snapshot(after)
    context = RuleContext(graph, policy, drift.Comparison.of(before, after, graph))
    findings, errors = engine.run_rules(context, rules, drift.change_history(before, after))
    assert errors == []
    return findings


def drift_findings(rule: Rule, case: DriftCase) -> list[Finding]:
    policy = policy_module.parse(case.policy, "egress-audit.yaml")
    return detect(case.before.snapshot(), case.after.snapshot(), policy, [rule])


def run_drift_case(rule: Rule, case: DriftCase) -> list[Finding]:
    """Assert the case exactly; return the findings for further checks."""
    findings = drift_findings(rule, case)
    got = {(f.resource_id.key, f.key): f for f in findings}
    want = {(arm.key(subject), key): values for (subject, key), values in case.expected.items()}
    assert set(got) == set(want), f"got {sorted(got)}, want {sorted(want)}"
    assert len(got) == len(findings), "one finding per subject and key"
    flagged = {f.resource_id.key for f in findings}
    assert not flagged & {arm.key(p) for p in case.passes}, f"wrongly flagged: {flagged}"
    for pair, finding in got.items():
        assert finding.rule_id == rule.meta.id
        assert (finding.details["before"], finding.details["after"]) == want[pair], finding
        assert finding.expected is not None
        assert finding.observed is not None
        assert finding.message
        assert finding.remediation
    for (subject, key), severity in case.severities.items():
        assert got[(arm.key(subject), key)].severity is severity
    return findings
