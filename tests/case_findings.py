"""What every built-in rule finds on its own test cases (tests/rules/test_<id>.py and
tests/drift/test_<id>.py), computed once per run: the catalogue-wide tests read its fixes and
severities."""

from __future__ import annotations

import importlib
from functools import cache

from auditor.model import Finding, Rule
from tests.drift.cases import DriftCase, drift_findings
from tests.rules.cases import Case, findings_for


@cache
def case_findings(rule: Rule) -> tuple[Finding, ...]:
    module = "drift" if rule.meta.needs_baseline else "rules"
    tests = importlib.import_module(f"tests.{module}.test_{rule.meta.id.lower()}")
    found: list[Finding] = []
    for case in tests.CASES:
        if isinstance(case, DriftCase):
            found.extend(drift_findings(rule, case))
        else:
            assert isinstance(case, Case)
            found.extend(findings_for(rule, case))
    return tuple(found)
