"""Every command a fix prints parses as the real command would parse it.

Walks the fix of every finding of `egress-audit --demo` (active and suppressed) and of
`egress-audit drift --demo` against the demo as it was on 8 November (docs/demo.md), the fix of
every finding of every rule's test cases, and every rule's catalogue remediation
(tests/printed_commands.py says what is checked, against what). A placeholder `<…>` in a
finding's fix must be one the finding cannot know, listed below with the reason; the catalogue
remediation is a template, so its placeholders are free, but its commands must still parse.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.model import Rule
from rules.registry import BUILTIN
from tests import demo_expected as expected
from tests.case_findings import case_findings
from tests.drift.test_cli import demo_as_of_november_8
from tests.printed_commands import command_spans, placeholders, problems

NEW_POOL = "a new pool's name is the operator's choice (unused in the cluster, within AKS's rules)"
NO_CLUSTER_NAT = "no node subnet of the cluster has a NAT gateway: none is known to be its own"
NO_APPLIANCE = "no subnet of the cluster routes to an appliance: its address is not in the estate"
NOT_MEANT = "a NAT gateway attached to nothing records no subnet it was meant for"
NEW_ADDRESSES = "addresses the operator creates for the fix: they have no ID before that"
UNREAD_GROUPS = "a firewall policy's rule collection groups are not in Resource Graph"

# Placeholders a finding's fix may print, by rule, each with why the finding cannot know it.
UNKNOWABLE: dict[str, dict[str, str]] = {
    "API001": {
        "<new pool>": NEW_POOL,
        "<prefix CIDR>": "Azure allocates a prefix's addresses when the fix creates it",
    },
    "EGR002": {"<NAT gateway ID>": NO_CLUSTER_NAT},
    "EGR006": {"<firewall private IP>": NO_APPLIANCE},
    "EGR007": {"<NAT gateway ID>": NO_CLUSTER_NAT},
    "EGR008": {"<NAT gateway ID>": NO_CLUSTER_NAT},
    "EGR009": {
        "<new pool>": NEW_POOL,
        "<subnet with a NAT gateway>": "no node subnet of the cluster has a NAT gateway",
    },
    "EGR010": {
        "<NAT gateway ID>": "no NAT gateway in the estate leaves from allowlisted addresses only",
        "<allowlisted prefix ID>": "no public IP prefix in the estate lies inside the allowlist",
    },
    "EGR012": {
        "<private container registry ID>": (
            "the registry a cluster would cache its bootstrap artifacts in is not in the estate"
        )
    },
    "FW002": {
        "<rule collection group>": UNREAD_GROUPS,
        "<free priority>": UNREAD_GROUPS,
    },
    "LB002": {"<new public IP IDs>": NEW_ADDRESSES, "<new public IP prefix IDs>": NEW_ADDRESSES},
    "LB004": {"<NAT gateway ID>": NO_CLUSTER_NAT},
    "SEG001": {"<new gateway pool>": NEW_POOL},
    "NAT002": {"<vnet resource group>": NOT_MEANT, "<vnet>": NOT_MEANT, "<subnet>": NOT_MEANT},
    "NAT005": {"<new pool>": NEW_POOL},
}


def fix_problems(rule_id: str, resource: str, fix: str) -> list[str]:
    """What is wrong with one finding's fix, each line naming the rule and the resource."""
    allowed = UNKNOWABLE.get(rule_id, {})
    found = problems(fix)
    found += [
        f"placeholder {p} is not one {rule_id}'s finding cannot know (UNKNOWABLE)"
        for p in sorted(placeholders(fix))
        if p not in allowed
    ]
    return [f"{rule_id} {resource}: {problem}" for problem in found]


@pytest.fixture(scope="module")
def demo_findings(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    """The findings of the demo, then its drift since 8 November."""
    folder = tmp_path_factory.mktemp("fixes")
    baseline = folder / "november-8.json"
    baseline.write_text(json.dumps(demo_as_of_november_8()))
    findings: list[dict[str, object]] = []
    for command in (["--demo"], ["drift", "--demo", "--baseline", str(baseline)]):
        report = folder / "report.json"
        assert main([*command, "--format", "json", "--output", str(report)]) == 1
        findings += json.loads(report.read_text())["findings"]
    return findings


def test_every_demo_fix_parses(demo_findings: list[dict[str, object]]) -> None:
    audit = [f for f in demo_findings if not str(f["ruleId"]).startswith("DRF")]
    assert len(audit) == len(expected.FINDINGS), "active and suppressed alike"
    assert any(f["suppressed"] for f in demo_findings)
    assert len(demo_findings) > len(audit), "and the drift since 8 November"
    found = [
        problem
        for f in demo_findings
        for problem in fix_problems(str(f["ruleId"]), str(f["resourceId"]), str(f["remediation"]))
    ]
    assert found == []


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.meta.id)
def test_every_fix_of_the_rule_cases_parses(rule: Rule) -> None:
    findings = case_findings(rule)
    assert findings, "the cases find something whose fix can be read"
    found = [
        problem
        for f in findings
        for problem in fix_problems(rule.meta.id, f.resource_id.text, f.remediation)
    ]
    assert found == []


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.meta.id)
def test_the_catalogue_remediation_parses(rule: Rule) -> None:
    assert problems(rule.meta.remediation) == []


def test_every_unknowable_placeholder_is_printed_somewhere(
    demo_findings: list[dict[str, object]],
) -> None:
    """An entry no fix prints any more is stale: it would let a regression through."""
    printed = {
        (str(f["ruleId"]), p) for f in demo_findings for p in placeholders(str(f["remediation"]))
    }
    printed |= {
        (rule.meta.id, p)
        for rule in BUILTIN
        for f in case_findings(rule)
        for p in placeholders(f.remediation)
    }
    listed = {(rule_id, p) for rule_id, entries in UNKNOWABLE.items() for p in entries}
    assert listed - printed == set()


@pytest.mark.parametrize(
    "rule", [r for r in BUILTIN if r.meta.needs_baseline], ids=lambda r: r.meta.id
)
def test_a_drift_fix_refreshes_the_baseline_by_the_audit_that_reported_it(rule: Rule) -> None:
    """A refresh command the rule could print would lack the run's scope and sign-in, and
    `egress-audit drift` refuses to run without a scope."""
    for finding in case_findings(rule):
        assert "run the same audit again with --update-baseline added" in finding.remediation
        assert not [c for c in command_spans(finding.remediation) if "egress-audit" in c]


def test_the_recorded_table_states_its_provenance() -> None:
    sources = (Path(__file__).parent / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert "`az-commands.json`" in sources
    assert "azure-cli 2.91.0" in sources
