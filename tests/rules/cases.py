"""Checkov-style rule cases: an estate, the exact resource IDs that must fail and must pass.

Every rule has `tests/rules/test_<id>.py` with a module-level `CASES` list; each module runs
its cases through `run_case`, and tests/rules/test_catalogue.py checks that every built-in rule
has such a module with at least one failing and one passing resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor import arm
from auditor import policy as policy_module
from auditor.model import Finding, Rule, RuleContext, Severity
from tests.estate_builder import Estate


@dataclass
class Case:
    name: str
    estate: Estate
    fails: set[str] = field(default_factory=set)
    passes: set[str] = field(default_factory=set)
    policy: str = ""
    severities: dict[str, Severity] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def findings_for(rule: Rule, case: Case) -> list[Finding]:
    policy = policy_module.parse(case.policy, "egress-audit.yaml")
    return list(rule.check(RuleContext(case.estate.graph(), policy)))


def findings_for_rules(rules: Sequence[Rule], estate: Estate, policy: str = "") -> list[Finding]:
    """What several rules find on one estate."""
    context = RuleContext(estate.graph(), policy_module.parse(policy, "egress-audit.yaml"))
    return [finding for rule in rules for finding in rule.check(context)]


def run_case(rule: Rule, case: Case) -> list[Finding]:
    """Assert the case; return the findings for further checks."""
    findings = findings_for(rule, case)
    flagged = {f.resource_id.key for f in findings}
    assert flagged >= {arm.key(i) for i in case.fails}, f"missing: {case.fails} vs {flagged}"
    assert not flagged & {arm.key(i) for i in case.passes}, f"wrongly flagged: {flagged}"
    assert flagged <= {arm.key(i) for i in case.fails}, f"unexpected: {flagged - case.fails}"
    for finding in findings:
        assert finding.rule_id == rule.meta.id
        assert finding.message
        assert finding.remediation
        expected = case.severities.get(finding.resource_id)
        if expected is not None:
            assert finding.severity is expected, (finding.resource_id, finding.severity)
    return findings
