"""Every built-in rule: complete metadata, a module named after its ID, and fail/pass cases."""

from __future__ import annotations

import importlib
import re

import pytest

from auditor.model import Rule
from rules.registry import BUILTIN
from tests.rules.cases import Case

ID = re.compile(r"^[A-Z]{2,4}\d{3}$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.meta.id)
def test_module_is_named_after_the_id(rule: Rule) -> None:
    module = importlib.import_module(f"rules.{rule.meta.id.lower()}")
    assert module.RULE is rule


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.meta.id)
def test_rule_has_failing_and_passing_cases(rule: Rule) -> None:
    tests = importlib.import_module(f"tests.rules.test_{rule.meta.id.lower()}")
    cases: list[Case] = tests.CASES
    assert any(case.fails for case in cases), "no estate that must fail"
    assert any(case.passes for case in cases), "no estate that must pass"


def test_ids_are_unique() -> None:
    ids = [rule.meta.id for rule in BUILTIN]
    assert len(ids) == len(set(ids))
