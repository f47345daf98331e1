"""The bundled demo estate through the real CLI."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from rules.registry import BUILTIN
from tests import demo_expected as expected


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    report = tmp_path_factory.mktemp("demo") / "report.json"
    assert main(["--demo", "--format", "json", "--output", str(report)]) == 1  # findings by design
    document: dict[str, Any] = json.loads(report.read_text())
    return document


def test_the_demo_finds_exactly_the_table(demo: dict[str, Any]) -> None:
    found = sorted(
        (f["ruleId"], f["severity"], f["resourceId"], f["suppressed"] is not None)
        for f in demo["findings"]
    )
    assert found == sorted(
        (e.rule_id, e.severity, e.resource_id, e.suppressed) for e in expected.FINDINGS
    )


def test_payments_pools_resolve_to_the_nat_prefix(demo: dict[str, Any]) -> None:
    payments = next(c for c in demo["clusters"] if c["name"] == "aks-payments-prod")
    assert payments["egressIps"] == ["20.61.16.0/28"]
    for pool in payments["nodePools"]:
        assert pool["egress"]["kind"] == "nat-gateway"
        assert pool["egress"]["publicIps"] == ["20.61.16.0/28"]


def test_correct_clusters_stay_quiet() -> None:
    """aks-payments-prod is built right (only its declared long-poll workload outlasts the NAT
    idle timeout) and aks-secure-egress has nothing to report."""
    groups = tuple(f"{expected.group(rg)}/" for rg, _ in expected.CORRECT_CLUSTERS)
    assert {e.rule_id for e in expected.FINDINGS if e.resource_id.startswith(groups)} == {"NAT007"}


def test_every_graph_and_policy_rule_fires_somewhere(demo: dict[str, Any]) -> None:
    """The catalogue's promise: the demo shows every rule but the drift rules (which need a
    baseline) firing at least once; WIN001's one finding is suppressed by the demo policy."""
    ran = [r["id"] for r in demo["rules"]]
    # the whole catalogue but the drift rules
    assert ran == [rule.meta.id for rule in BUILTIN if not rule.meta.needs_baseline]
    assert {e.rule_id for e in expected.FINDINGS} == set(ran)


def test_out_of_scope_prefix_is_unknown_not_missing(demo: dict[str, Any]) -> None:
    integration = next(c for c in demo["clusters"] if c["name"] == "aks-integration-prod")
    for pool in integration["nodePools"]:
        assert pool["egress"]["kind"] == "nat-gateway"
        assert pool["egress"]["publicIps"] is None
        assert pool["egress"]["unknownIds"]
    assert demo["unknownResources"] == [pool["egress"]["unknownIds"][0]]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_two_runs_are_byte_identical(fmt: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    main(["--demo", "--format", fmt])
    first = capsysbinary.readouterr().out
    main(["--demo", "--format", fmt])
    assert capsysbinary.readouterr().out == first


def test_rules_command_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule_id in ("EGR001", "NAT007", "NET001"):
        assert rule_id in out


@pytest.mark.parametrize(
    ("fmt", "marker"), [("json", '"edges"'), ("graphml", "<graphml"), ("dot", "digraph")]
)
def test_graph_export(fmt: str, marker: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--demo", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert marker in out
    assert "aks-payments-prod" in out


def test_docs_demo_md_lists_each_clusters_findings() -> None:
    """docs/demo.md's table names, per cluster, exactly the rules that report on its resource
    group (the table of tests/demo_expected.py)."""
    page = Path(__file__).resolve().parents[1] / "docs" / "demo.md"
    estate = json.loads(resources.files("auditor.demo").joinpath("estate.json").read_text())
    groups = {
        row["name"]: row["id"].split("/providers/")[0]
        for row in estate["resources"]["microsoft.containerservice/managedclusters"]
    }
    rows = [
        line.split("|")[1:-1]
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("| aks-")
    ]
    listed = {cells[0].strip(): set(re.findall(r"\b[A-Z]{2,4}\d{3}\b", cells[2])) for cells in rows}
    assert set(listed) == set(groups)
    found = {
        name: {e.rule_id for e in expected.FINDINGS if e.resource_id.startswith(f"{group}/")}
        for name, group in groups.items()
    }
    assert listed == found
