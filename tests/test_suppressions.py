"""Suppressions: applied after the rules, judged against the day the estate was read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor import engine
from auditor import policy as policy_module
from auditor.cli import exit_code, main
from auditor.errors import ExitCode
from auditor.model import SourceLocation
from rules.registry import BUILTIN
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.hub_network import SPOKE, hub_and_spoke

# The estate is read on 2026-11-20; kubenet gives one NET001 finding (high) on cluster "old".
OLD = b.cluster_id("old")


def _estate() -> b.Estate:
    return b.Estate().add(
        b.cluster("old", [b.pool("sys")], plugin="kubenet", plugin_mode=None, outbound_type="none")
    )


def _policy(expires: str, resource: str = "*/managedClusters/old", rule: str = "NET001") -> str:
    return (
        "suppressions:\n"
        f"  - rule: {rule}\n"
        f"    resource: '{resource}'\n"
        "    justification: migration to Overlay booked for 2027-02 (CHG-42)\n"
        f"    expires: {expires}\n"
    )


def _audit(policy_text: str) -> Any:
    policy = policy_module.parse(policy_text, "egress-audit.yaml")
    return engine.audit(_estate().snapshot(), policy, BUILTIN)


def _ids(result: Any, *, active: bool = False) -> list[tuple[str, str]]:
    findings = result.active_findings if active else result.findings
    return [(f.rule_id, f.resource_id.text) for f in findings]


def test_an_unexpired_suppression_marks_the_finding_and_it_stops_counting() -> None:
    result = _audit(_policy("2027-03-31"))
    (finding,) = [f for f in result.findings if f.rule_id == "NET001"]
    assert finding.suppression is not None
    assert finding.suppression.justification == "migration to Overlay booked for 2027-02 (CHG-42)"
    assert ("NET001", OLD) not in _ids(result, active=True)
    assert exit_code(result, "high") is ExitCode.OK
    assert result.warnings == ()


def test_the_expiry_day_itself_still_suppresses() -> None:
    result = _audit(_policy("2026-11-20"))
    assert ("NET001", OLD) not in _ids(result, active=True)
    assert "POL002" not in {f.rule_id for f in result.findings}


def test_an_expired_suppression_stops_suppressing_and_is_reported() -> None:
    result = _audit(_policy("2026-11-19"))
    assert ("NET001", OLD) in _ids(result, active=True)
    pol002 = [f for f in result.findings if f.rule_id == "POL002"]
    assert [(f.resource_id.text, f.location) for f in pol002] == [
        (OLD, SourceLocation("egress-audit.yaml", 2))
    ]
    assert exit_code(result, "high") is ExitCode.FINDINGS


def test_the_glob_is_case_insensitive_and_only_the_named_rule_is_hidden() -> None:
    result = _audit(_policy("2027-01-01", resource="/SUBSCRIPTIONS/*/MANAGEDCLUSTERS/OLD"))
    assert ("NET001", OLD) not in _ids(result, active=True)
    other = _audit(_policy("2027-01-01", rule="LB001"))
    assert ("NET001", OLD) in _ids(other, active=True)


def test_a_glob_matching_nothing_is_warned() -> None:
    result = _audit(_policy("2027-01-01", resource="*/managedClusters/gone"))
    assert ("NET001", OLD) in _ids(result, active=True)
    assert result.warnings == (
        "egress-audit.yaml:2: suppressions[0] matches no resource (NET001 on "
        "*/managedClusters/gone)",
    )


def test_the_first_matching_suppression_wins() -> None:
    text = _policy("2027-01-01") + (
        "  - rule: NET001\n    resource: '*'\n    justification: everything\n"
        "    expires: 2027-06-30\n"
    )
    (finding,) = [f for f in _audit(text).findings if f.rule_id == "NET001"]
    assert finding.suppression is not None
    assert finding.suppression.expires == "2027-01-01"


def _cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: str) -> tuple[int, Any, str]:
    (tmp_path / "snapshot.json").write_text(json.dumps(_estate().document()))
    (tmp_path / "egress-audit.yaml").write_text(policy)
    code = main(
        [
            "--snapshot",
            str(tmp_path / "snapshot.json"),
            "--policy",
            str(tmp_path / "egress-audit.yaml"),
            "--format",
            "json",
            "--fail-on",
            "high",
        ]
    )
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_json_shows_the_suppressed_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = _cli(tmp_path, capsys, _policy("2027-03-31"))
    assert code == 0  # the only high finding is suppressed
    (net001,) = [f for f in report["findings"] if f["ruleId"] == "NET001"]
    assert net001["suppressed"] == {
        "justification": "migration to Overlay booked for 2027-02 (CHG-42)",
        "expires": "2027-03-31",
        "resourceGlob": "*/managedClusters/old",
    }
    assert report["summary"]["suppressed"] == 1


def test_expired_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = _cli(tmp_path, capsys, _policy("2026-10-31"))
    assert code == 1
    assert [(f["ruleId"], f["suppressed"]) for f in report["findings"]][:1] == [("NET001", None)]
    (pol002,) = [f for f in report["findings"] if f["ruleId"] == "POL002"]
    assert pol002["location"]["line"] == 2
    assert pol002["location"]["path"].endswith("egress-audit.yaml")


def test_unmatched_glob_warned_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report, err = _cli(tmp_path, capsys, _policy("2027-01-01", resource="*/nothing"))
    assert report["warnings"] == [
        f"{tmp_path}/egress-audit.yaml:2: suppressions[0] matches no resource (NET001 on */nothing)"
    ]
    assert err == f"egress-audit: warning: {report['warnings'][0]}\n"


def test_missing_justification_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "snapshot.json").write_text(json.dumps(_estate().document()))
    (tmp_path / "p.yaml").write_text(
        "suppressions:\n  - rule: NET001\n    resource: '*'\n    expires: 2027-01-01\n"
    )
    code = main(
        ["--snapshot", str(tmp_path / "snapshot.json"), "--policy", str(tmp_path / "p.yaml")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err == (
        f"egress-audit: error: {tmp_path}/p.yaml:2: suppressions[0]: missing key "
        "'justification' (say why the finding is accepted)\n"
    )


def _firewall_audit(expires: str, firewall: str = "fw-hub") -> Any:
    """A policy-based hub firewall: FW002 says, at info, that its rules are not in the
    snapshot, and its fix suggests suppressing that finding once checked by hand."""
    estate = hub_and_spoke(
        b.cluster("aks", [b.pool("sys", SPOKE)], outbound_type="userDefinedRouting"),
        h.firewall_policy("fw-policy"),
        policy=b.rid("Microsoft.Network/firewallPolicies", "fw-policy"),
    )
    policy = policy_module.parse(
        _policy(expires, resource=f"*/azureFirewalls/{firewall}", rule="FW002"),
        "egress-audit.yaml",
    )
    return engine.audit(estate.snapshot(), policy, BUILTIN)


def test_a_firewall_is_a_resource_a_suppression_matches() -> None:
    result = _firewall_audit("2027-03-31")
    (finding,) = [f for f in result.findings if f.rule_id == "FW002"]
    assert finding.resource_id.text == h.firewall_id("fw-hub")
    assert finding.suppression is not None
    assert result.warnings == ()


def test_an_expired_suppression_on_a_firewall_is_reported() -> None:
    result = _firewall_audit("2026-11-19")
    pol002 = [f for f in result.findings if f.rule_id == "POL002"]
    assert [f.resource_id.text for f in pol002] == [h.firewall_id("fw-hub")]
