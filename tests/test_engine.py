"""The engine: a rule that raises becomes an error result and the run goes on."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from auditor import engine
from auditor import policy as policy_module
from auditor.cli import exit_code
from auditor.errors import ExitCode
from auditor.model import Finding, Rule, RuleContext
from rules import net001
from tests import estate_builder as b


def _broken(context: RuleContext) -> Iterator[Finding]:
    yield from ()
    raise RuntimeError("boom")


BROKEN = Rule(dataclasses.replace(net001.META, id="TEST999"), _broken)


def _kubenet() -> b.Estate:
    return b.Estate().add(b.cluster("old", [b.pool("sys")], plugin="kubenet", plugin_mode=None))


def test_a_raising_rule_is_an_error_result_and_the_others_still_run() -> None:
    result = engine.audit(_kubenet().snapshot(), policy_module.EMPTY, [BROKEN, net001.RULE])
    assert [e.rule_id for e in result.rule_errors] == ["TEST999"]
    assert "RuntimeError: boom" in result.rule_errors[0].message
    assert [f.rule_id for f in result.findings] == ["NET001"]
    assert exit_code(result, "info") is ExitCode.PARTIAL


def test_fail_on_threshold() -> None:
    result = engine.audit(_kubenet().snapshot(), policy_module.EMPTY, [net001.RULE])
    assert exit_code(result, "high") is ExitCode.FINDINGS
    assert exit_code(result, "critical") is ExitCode.OK
    assert exit_code(result, "never") is ExitCode.OK


def test_disabled_rule_does_not_run() -> None:
    policy = policy_module.parse("rules:\n  NET001: {enabled: false}\n", "p.yaml")
    result = engine.audit(_kubenet().snapshot(), policy, [net001.RULE])
    assert result.findings == ()
    assert result.rules == ()


def test_policy_entry_matching_nothing_is_warned() -> None:
    policy = policy_module.parse("clusters:\n  - match: {resource_group: rg-nope}\n", "p.yaml")
    result = engine.audit(_kubenet().snapshot(), policy, [net001.RULE])
    assert result.warnings == ("p.yaml:2: clusters[0] matches no cluster (resource group rg-nope)",)
