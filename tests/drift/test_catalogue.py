"""Every drift rule: complete metadata, a module named after its ID, and firing/quiet cases.

Drift rules compare two estates, so they are kept out of rules.registry.BUILTIN (which
tests/rules/test_catalogue.py walks) and held to the same metadata standard here.
"""

from __future__ import annotations

import importlib

import pytest

from auditor.drift import DriftRule
from rules.registry import BUILTIN, DRIFT
from tests.drift.cases import DriftCase
from tests.rules.test_catalogue import ID, SLUG


def test_the_six_drift_rules_in_order() -> None:
    assert [r.meta.id for r in DRIFT] == [f"DRF00{i}" for i in range(1, 7)]


def test_drift_rules_are_not_graph_rules() -> None:
    assert not {r.meta.id for r in DRIFT} & {r.meta.id for r in BUILTIN}
    assert all(isinstance(r, DriftRule) for r in DRIFT)


@pytest.mark.parametrize("rule", DRIFT, ids=lambda r: r.meta.id)
def test_metadata_is_complete(rule: DriftRule) -> None:
    meta = rule.meta
    assert ID.match(meta.id)
    assert SLUG.match(meta.name)
    assert meta.title
    assert not meta.title.lower().startswith("ensure")
    assert meta.description
    assert "](https://" in meta.help_markdown, "help cites its documented source"
    assert "Severity is" in meta.help_markdown, "help justifies the severity"
    assert meta.remediation
    assert meta.sources
    assert all(s.startswith("https://") for s in meta.sources)
    assert "security" in meta.tags or "reliability" in meta.tags
    assert "drift" in meta.tags
    assert meta.precision in {"very-high", "high", "medium", "low"}
    assert rule.history_hints, "attribution needs the property words of its changes"
    assert all(h == h.lower() for h in rule.history_hints)


@pytest.mark.parametrize("rule", DRIFT, ids=lambda r: r.meta.id)
def test_module_is_named_after_the_id(rule: DriftRule) -> None:
    module = importlib.import_module(f"rules.{rule.meta.id.lower()}")
    assert module.RULE is rule


@pytest.mark.parametrize("rule", DRIFT, ids=lambda r: r.meta.id)
def test_rule_has_firing_and_quiet_cases(rule: DriftRule) -> None:
    tests = importlib.import_module(f"tests.drift.test_{rule.meta.id.lower()}")
    cases: list[DriftCase] = tests.CASES
    assert any(case.expected for case in cases), "no pair of estates that drifts"
    assert any(case.passes and not case.expected for case in cases), "no quiet pair"
    assert any(case.name == "identical estates" for case in cases)
