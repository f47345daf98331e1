"""Every rule of the catalogue: complete metadata, a module named after its ID, and cases.

Graph and policy rules have `tests/rules/test_<id>.py` with estates that must fail and pass;
drift rules (they need a baseline) have `tests/drift/test_<id>.py` with pairs of estates that
drift and that do not.
"""

from __future__ import annotations

import importlib
import re

import pytest

from auditor.model import Rule, Severity
from rules.registry import BUILTIN
from tests import demo_expected
from tests.case_findings import case_findings
from tests.drift.cases import DriftCase
from tests.rules.cases import Case

ID = re.compile(r"^[A-Z]{2,4}\d{3}$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DRIFT = [rule for rule in BUILTIN if rule.meta.needs_baseline]
GRAPH = [rule for rule in BUILTIN if not rule.meta.needs_baseline]


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.meta.id)
def test_metadata_is_complete(rule: Rule) -> None:
    meta = rule.meta
    assert ID.match(meta.id)
    assert SLUG.match(meta.name)
    assert meta.title
    assert not meta.title.lower().startswith("ensure")
    assert meta.description
    assert meta.help_markdown
    assert "](https://" in meta.help_markdown, "help cites its documented source"
    assert meta.remediation
    assert meta.sources
    assert all(s.startswith("https://") for s in meta.sources)
    assert "security" in meta.tags or "reliability" in meta.tags
    assert meta.precision in {"very-high", "high", "medium", "low"}
    assert ("drift" in meta.tags) == meta.needs_baseline


@pytest.mark.parametrize("rule", DRIFT, ids=lambda r: r.meta.id)
def test_drift_rules_say_how_their_changes_are_attributed(rule: Rule) -> None:
    assert "Severity is" in rule.meta.help_markdown, "help justifies the severity"
    assert rule.meta.history_hints, "attribution needs the property words of its changes"
    assert all(h == h.lower() for h in rule.meta.history_hints)


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.meta.id)
def test_module_is_named_after_the_id(rule: Rule) -> None:
    module = importlib.import_module(f"rules.{rule.meta.id.lower()}")
    assert module.RULE is rule


@pytest.mark.parametrize("rule", GRAPH, ids=lambda r: r.meta.id)
def test_rule_has_failing_and_passing_cases(rule: Rule) -> None:
    tests = importlib.import_module(f"tests.rules.test_{rule.meta.id.lower()}")
    cases: list[Case] = tests.CASES
    assert any(case.fails for case in cases), "no estate that must fail"
    assert any(case.passes for case in cases), "no estate that must pass"


@pytest.mark.parametrize("rule", DRIFT, ids=lambda r: r.meta.id)
def test_drift_rule_has_firing_and_quiet_cases(rule: Rule) -> None:
    tests = importlib.import_module(f"tests.drift.test_{rule.meta.id.lower()}")
    cases: list[DriftCase] = tests.CASES
    assert any(case.expected for case in cases), "no pair of estates that drifts"
    assert any(case.passes and not case.expected for case in cases), "no quiet pair"
    assert any(case.name == "identical estates" for case in cases)


def test_ids_are_unique() -> None:
    ids = [rule.meta.id for rule in BUILTIN]
    assert len(ids) == len(set(ids))


def test_the_six_drift_rules_close_the_catalogue() -> None:
    assert [r.meta.id for r in BUILTIN[-6:]] == [f"DRF00{i}" for i in range(1, 7)]
    assert [r.meta.id for r in DRIFT] == [f"DRF00{i}" for i in range(1, 7)]


SEVERITY_WORDS = {s: re.compile(rf"\b{s.value}\b") for s in Severity}


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.meta.id)
def test_a_finding_takes_another_severity_only_as_the_rule_declares(rule: Rule) -> None:
    """Every listing of a rule (`egress-audit rules`, docs/rules.md, SARIF help) shows its
    default severity and `other_severities`: a severity the rule emits on its cases or on the
    demo must be named there, and one named there must be emitted by some case."""
    emitted = {f.severity for f in case_findings(rule)}
    emitted |= {Severity(e.severity) for e in demo_expected.FINDINGS if e.rule_id == rule.meta.id}
    declared = {s for s, word in SEVERITY_WORDS.items() if word.search(rule.meta.other_severities)}
    assert emitted - {rule.meta.severity} == declared
    assert rule.meta.severity not in declared
