"""The rule reference: docs/rules.md is what `egress-audit rules --format markdown` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli import main
from rules.reference import REGENERATE, markdown
from rules.registry import BUILTIN

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(BUILTIN), (
        f"docs/rules.md is out of date; regenerate it from the repository root with: {REGENERATE}"
    )


def test_the_command_writes_the_reference(tmp_path: Path) -> None:
    target = tmp_path / "rules.md"
    assert main(["rules", "--format", "markdown", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == markdown(BUILTIN)


def test_every_rule_has_its_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    for rule in BUILTIN:
        assert f"\n## {rule.meta.id} {rule.meta.name}\n" in text
        assert rule.meta.remediation in text
        for url in rule.meta.sources:
            assert f"- <{url}>" in text


def test_parameters_come_from_the_config_defaults() -> None:
    text = markdown(BUILTIN)
    section = text.split("## LB002 lb-snat-capacity")[1].split("\n## ")[0]
    assert "| `ports_per_ip` | int | `64000` |" in section
    assert "| `default_surge_nodes` | int | `1` |" in section


def test_policy_driven_rules_say_so() -> None:
    text = markdown(BUILTIN)
    for rule_id in ("POL001", "POL002"):
        section = text.split(f"## {rule_id} ")[1].split("\n## ")[0]
        assert "- Policy-driven: judges what the policy file declares" in section


ESCALATION = (
    "medium; high when a cluster on the subnet allowlists the NAT gateway's addresses (in its "
    "policy allowed_egress or its API server authorized IP ranges)"
)


def test_a_severity_reads_with_when_findings_take_another() -> None:
    text = markdown(BUILTIN)
    assert f"| [EGR004](#egr004-udr-overrides-nat) | {ESCALATION} | `udr-overrides-nat` |" in text
    section = text.split("## EGR004 udr-overrides-nat")[1].split("\n## ")[0]
    assert f"- Severity: {ESCALATION}\n" in section
    assert "\n- Severity: high\n" in text.split("## NAT003 ")[1].split("\n## ")[0]


def test_the_listing_shows_the_severity_in_full_under_the_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("EGR004   medium    "))
    assert lines[at + 1] == f"{'':19}severity: {ESCALATION}"
    nat003 = next(i for i, line in enumerate(lines) if line.startswith("NAT003 "))
    assert lines[nat003 + 1].startswith("NAT004 ")
