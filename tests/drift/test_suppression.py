"""Drift findings are findings like any other: the policy's suppressions apply to them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.cli import main
from tests.drift.cases import NAT_A, baseline, estate

POLICY = f"""
suppressions:
  - rule: DRF004
    resource: "{NAT_A.lower()}"
    justification: "Raised on purpose for the batch window (CHG-1)"
    expires: 2026-12-31
"""


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document))
    return path


def test_a_suppressed_drift_finding_is_marked_and_does_not_fail_the_run(tmp_path: Path) -> None:
    before = _write(tmp_path / "baseline.json", baseline(nat_a_idle=4).document())
    after = _write(tmp_path / "snapshot.json", estate(nat_a_idle=10).document())
    policy = tmp_path / "egress-audit.yaml"
    policy.write_text(POLICY)
    report = tmp_path / "report.json"
    argv = ["drift", "--baseline", str(before), "--snapshot", str(after), "--format", "json"]
    code = main([*argv, "--policy", str(policy), "--output", str(report)])
    drifted = [f for f in json.loads(report.read_text())["findings"] if f["ruleId"] == "DRF004"]
    assert [(f["resourceId"], f["suppressed"]["justification"]) for f in drifted] == [
        (NAT_A, "Raised on purpose for the batch window (CHG-1)")
    ]
    assert code == 0
    assert main([*argv, "--output", str(report)]) == 1  # without the policy it fails the run
