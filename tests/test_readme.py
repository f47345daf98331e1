"""The README's policy example is a valid policy for the current rules, and what it says of the
demo and the catalogue is what they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor import policy
from auditor.cli import main
from rules.registry import BUILTIN, all_rules
from tests import demo_expected as expected

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_policy_example_loads(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(version: 1\n.*?)```", text, re.DOTALL)
    assert example is not None
    (tmp_path / "k8s" / "payments").mkdir(parents=True)
    path = tmp_path / "egress-audit.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    loaded = policy.load(path)
    loaded.check_rules({rule.meta.id: rule.config for rule in all_rules()})
    assert [w.name for w in loaded.clusters[0].workloads] == ["payment-provider-longpoll"]
    assert [s.rule_id for s in loaded.suppressions] == ["WIN001"]


def _readme() -> str:
    return " ".join(README.read_text(encoding="utf-8").split())


def test_the_demo_is_as_the_readme_describes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo"]) == 1  # "a plain `egress-audit --demo` exits 1"
    output = capsys.readouterr().out
    clusters = re.search(r"^(\d+) clusters, \d+ node pools in 2 subscriptions$", output, re.M)
    assert clusters is not None
    assert f"bundled estate of {clusters.group(1)} clusters in two subscriptions" in _readme()
    # The text sample is lines of the real output, in order.
    text = README.read_text(encoding="utf-8")
    sample = text.split("Text output shows each node pool's path")[1].split("```")[1]
    lines = output.splitlines()
    at = 0
    for line in sample.strip("\n").splitlines():
        at = lines.index(line, at) + 1


def test_the_clusters_built_right_are_as_the_readme_says() -> None:
    assert "every rule but the drift rules (they need a baseline) fires somewhere" in _readme()
    graph_rules = {r.meta.id for r in BUILTIN if not r.meta.needs_baseline}
    assert {e.rule_id for e in expected.FINDINGS} == graph_rules
    found = {
        name: {e.rule_id for e in expected.FINDINGS if e.resource_id.startswith(expected.group(rg))}
        for rg, name in expected.CORRECT_CLUSTERS
    }
    assert found == {"aks-payments-prod": {"NAT007"}, "aks-secure-egress": set()}
    assert "aks-secure-egress has no finding, and aks-payments-prod only NAT007" in _readme()


def test_the_rule_count_and_table_cover_the_catalogue() -> None:
    graph_rules = [r for r in BUILTIN if not r.meta.needs_baseline]
    # "a node pool whose subnet lacks the NAT gateway, kubenet clusters, idle timeouts shorter
    # than your workloads need, and N more documented rules"
    assert f"and {len(graph_rules) - 3} more documented rules" in _readme()
    table = README.read_text(encoding="utf-8").split("| Family | Rules |")[1].split("\n\n")[0]
    assert [r.meta.id for r in BUILTIN if r.meta.id not in table] == []
