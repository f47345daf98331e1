"""The README's policy example is a valid policy for the current rules."""

from __future__ import annotations

import re
from pathlib import Path

from auditor import policy
from rules.registry import all_rules

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
