"""`egress-audit drift`, `--baseline` and `--update-baseline` through the real CLI."""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from auditor import snapshot
from auditor.cli import main
from auditor.collect import args as collect_args
from auditor.snapshot import Snapshot
from tests.drift.cases import baseline, estate
from tests.estate_builder import SUB

PROD = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups"
NONPROD = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups"
AKS = "providers/Microsoft.ContainerService/managedClusters"
NAT = "providers/Microsoft.Network/natGateways"
PIP = "providers/Microsoft.Network/publicIPAddresses"


def _demo() -> dict[str, Any]:
    text = resources.files("auditor.demo").joinpath("estate.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _row(document: dict[str, Any], resource_type: str, name: str) -> dict[str, Any]:
    return next(r for r in document["resources"][resource_type] if r["name"] == name)


def demo_as_of_november_8() -> dict[str, Any]:
    """The demo estate before the five changes its change history records (2026-11-09 to
    2026-11-18): the route to the firewall, the analytics idle timeout, the tooling runners'
    own NAT gateway, the checkout batch subnet's NAT gateway and the reporting NAT gateway's
    public IP."""
    document = _demo()
    document["collectedAt"] = "2026-11-08T06:00:00Z"
    document["changes"] = []
    _row(document, "microsoft.network/routetables", "rt-aks-data")["properties"]["routes"] = []
    _row(document, "microsoft.network/natgateways", "ng-analytics-egress")["properties"][
        "idleTimeoutInMinutes"
    ] = 4
    tooling = _row(document, "microsoft.network/virtualnetworks", "vnet-spoke-tooling")
    runners = next(s for s in tooling["properties"]["subnets"] if s["name"] == "snet-aks-runners")
    del runners["properties"]["natGateway"]
    _row(document, "microsoft.network/natgateways", "ng-tooling-runners")["properties"][
        "subnets"
    ] = []
    checkout = _row(document, "microsoft.network/virtualnetworks", "vnet-spoke-checkout")
    batch = next(s for s in checkout["properties"]["subnets"] if s["name"] == "snet-aks-batch")
    batch["properties"]["natGateway"] = {"id": f"{PROD}/rg-checkout-prod/{NAT}/ng-checkout-egress"}
    _row(document, "microsoft.network/natgateways", "ng-checkout-egress")["properties"][
        "subnets"
    ].append({"id": batch["id"]})  # both records of the association
    reporting = _row(document, "microsoft.network/natgateways", "ng-reporting-egress")
    reporting["properties"]["publicIpAddresses"] = [
        {"id": f"{NONPROD}/rg-reporting-nonprod/{PIP}/pip-reporting-egress"}
    ]
    return document


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document))
    return path


def _json_report(tmp_path: Path, *argv: str, code: int) -> dict[str, Any]:
    report = tmp_path / "report.json"
    assert main([*argv, "--format", "json", "--output", str(report)]) == code
    document: dict[str, Any] = json.loads(report.read_text())
    return document


def test_demo_against_a_copy_of_itself_has_no_drift(tmp_path: Path) -> None:
    base = _write(tmp_path / "baseline.json", _demo())
    report = _json_report(tmp_path, "drift", "--baseline", str(base), "--demo", code=0)
    assert report["findings"] == []
    assert report["baseline"] == str(base)
    assert [r["id"] for r in report["rules"]] == [f"DRF00{i}" for i in range(1, 7)]


def test_demo_against_its_november_8_self(tmp_path: Path) -> None:
    base = _write(tmp_path / "baseline.json", demo_as_of_november_8())
    report = _json_report(tmp_path, "drift", "--baseline", str(base), "--demo", code=1)
    found = {
        (f["ruleId"], f["resourceId"], f["details"]["before"], f["details"]["after"]): (
            f["severity"],
            f["details"].get("changedBy"),
        )
        for f in report["findings"]
    }
    data = f"{PROD}/rg-data-prod/{AKS}/aks-data-prod/agentPools"
    reporting = f"{NONPROD}/rg-reporting-nonprod/{AKS}/aks-reporting-nonprod/agentPools"
    runners = f"{PROD}/rg-tooling-prod/{AKS}/aks-tooling-prod/agentPools/runners"
    tooling_runners_subnet = (
        f"{PROD}/rg-tooling-prod/providers/Microsoft.Network/virtualNetworks/"
        "vnet-spoke-tooling/subnets/snet-aks-runners"
    )
    assert found == {
        ("DRF001", f"{reporting}/reports", "4.180.30.5/32", ""): ("high", "r.tanaka@contoso.com"),
        ("DRF001", f"{reporting}/system", "4.180.30.5/32", ""): ("high", "r.tanaka@contoso.com"),
        # The new 0.0.0.0/0 route sends the pools through the hub firewall, whose subnet
        # leaves through the hub NAT gateway's prefix; high because the demo policy declares
        # allowed_egress for aks-data-prod.
        ("DRF001", f"{data}/etl", "20.61.24.5/32", "51.124.80.0/30"): (
            "high",
            "s.novak@contoso.com",
        ),
        ("DRF001", f"{data}/system", "20.61.24.5/32", "51.124.80.0/30"): (
            "high",
            "s.novak@contoso.com",
        ),
        ("DRF002", f"{data}/etl", "nat-gateway", "azure-firewall"): (
            "high",
            "s.novak@contoso.com",
        ),
        ("DRF002", f"{data}/system", "nat-gateway", "azure-firewall"): (
            "high",
            "s.novak@contoso.com",
        ),
        (
            "DRF002",
            f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/batch",
            "nat-gateway",
            "default-outbound-access",
        ): ("high", "a.osei@contoso.com"),
        (
            "DRF003",
            f"{PROD}/rg-checkout-prod/providers/Microsoft.Network/virtualNetworks/"
            "vnet-spoke-checkout/subnets/snet-aks-batch",
            f"{PROD}/rg-checkout-prod/providers/Microsoft.Network/natGateways/ng-checkout-egress",
            "",
        ): ("high", "a.osei@contoso.com"),
        # The CI runners, without egress on November 8, got a NAT gateway of their own.
        ("DRF001", runners, "", "20.61.56.9/32"): ("medium", "l.moreau@contoso.com"),
        ("DRF002", runners, "none", "nat-gateway"): ("medium", "l.moreau@contoso.com"),
        (
            "DRF003",
            tooling_runners_subnet,
            "",
            f"{PROD}/rg-tooling-prod/providers/Microsoft.Network/natGateways/ng-tooling-runners",
        ): ("medium", "l.moreau@contoso.com"),
        (
            "DRF004",
            f"{PROD}/rg-analytics-prod/providers/Microsoft.Network/natGateways/ng-analytics-egress",
            "4",
            "30",
        ): ("low", "m.lindqvist@contoso.com"),
    }
    route = next(
        f
        for f in report["findings"]
        if f["resourceId"] == f"{data}/etl" and f["ruleId"] == "DRF002"
    )
    assert route["details"]["clientType"] == "Azure PowerShell"
    assert route["details"]["operation"] == "Microsoft.Network/routeTables/routes/write"
    assert route["details"]["changedAt"] == "2026-11-09T11:15:48.2200000Z"
    # Subnet changes are filed under the virtual network (the subnet write of 16 November).
    attach = next(
        f
        for f in report["findings"]
        if f["resourceId"] == tooling_runners_subnet and f["ruleId"] == "DRF003"
    )
    assert attach["details"]["clientType"] == "Azure Portal"
    assert attach["details"]["operation"] == "Microsoft.Network/virtualNetworks/subnets/write"
    assert attach["details"]["changedAt"] == "2026-11-16T14:07:31.5620000Z"


def test_drift_runs_through_the_text_report_and_fail_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "baseline.json", demo_as_of_november_8())
    assert main(["drift", "--baseline", str(base), "--demo", "--fail-on", "critical"]) == 0
    out = capsys.readouterr().out
    assert f"drift since baseline {base}" in out
    assert "Findings: 0 critical · 8 high · 3 medium · 1 low · 0 info" in out
    assert "DRF004" in out
    assert "m.lindqvist@contoso.com" in out


def test_the_default_command_adds_drift_to_the_audit(tmp_path: Path) -> None:
    base = _write(tmp_path / "baseline.json", demo_as_of_november_8())
    report = _json_report(tmp_path, "--demo", "--baseline", str(base), code=1)
    rules = {f["ruleId"] for f in report["findings"]}
    assert {"EGR001", "NET001", "NAT007", "DRF001", "DRF002", "DRF003", "DRF004"} <= rules
    ids = [r["id"] for r in report["rules"]]
    assert ids[-6:] == [f"DRF00{i}" for i in range(1, 7)]
    assert "EGR010" in ids
    assert report["baseline"] == str(base)


def test_drift_reports_are_byte_identical(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    base = _write(tmp_path / "baseline.json", demo_as_of_november_8())
    main(["drift", "--baseline", str(base), "--demo", "--format", "json"])
    first = capsysbinary.readouterr().out
    main(["drift", "--baseline", str(base), "--demo", "--format", "json"])
    assert capsysbinary.readouterr().out == first


# -- baseline versions -----------------------------------------------------------------------


def test_a_version_0_baseline_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _demo()
    document["version"] = 0
    base = _write(tmp_path / "old.json", document)
    output = tmp_path / "report.json"
    code = main(["drift", "--baseline", str(base), "--demo", "--output", str(output)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"egress-audit: error: baseline {base}: version: unsupported snapshot version 0 (this "
        "egress-audit reads version 1 and cannot upgrade version 0; collect a new snapshot)\n"
    )
    assert not output.exists()


def test_a_missing_baseline_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["drift", "--baseline", str(tmp_path / "nope.json"), "--demo"]) == 2
    assert capsys.readouterr().err.endswith(f"baseline {tmp_path / 'nope.json'}: no such file\n")


def test_drift_needs_a_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "--demo"]) == 2
    assert "the following arguments are required: --baseline" in capsys.readouterr().err


def test_update_baseline_needs_a_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--update-baseline"]) == 2
    assert "--update-baseline needs --baseline FILE" in capsys.readouterr().err


# -- --update-baseline -----------------------------------------------------------------------


def _snapshot_file(path: Path, *, errors: bool = False, **kwargs: Any) -> Path:
    document = estate(**kwargs).document()
    if errors:
        document["errors"] = [
            {
                "scope": "subscriptions batch 2/2",
                "status": 503,
                "message": "Service Unavailable",
                "subscriptions": ["00000000-0000-4000-8000-000000000009"],
            }
        ]
    return _write(path, document)


def test_update_after_a_complete_collection_writes_the_new_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "baseline.json", baseline(nat_a_idle=30).document())
    new = _snapshot_file(tmp_path / "new.json", nat_a_idle=4)
    code = main(
        [
            "drift",
            "--baseline",
            str(base),
            "--snapshot",
            str(new),
            "--update-baseline",
            "--format",
            "json",
        ]
    )
    assert code == 1  # the drift it found (DRF004, medium) is still reported
    captured = capsys.readouterr()
    assert json.loads(captured.out)["findings"][0]["ruleId"] == "DRF004"
    assert captured.err == (
        f"egress-audit: baseline {base} updated to the estate read at 2026-11-20T06:00:00Z\n"
    )
    written = json.loads(base.read_text())
    assert written == snapshot.load(new).to_document()
    # The next run compares against it: no drift.
    assert main(["drift", "--baseline", str(base), "--snapshot", str(new)]) == 0


def test_no_update_after_a_partial_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "baseline.json", baseline(nat_a_idle=30).document())
    before = base.read_bytes()
    new = _snapshot_file(tmp_path / "new.json", nat_a_idle=4, errors=True)
    code = main(
        [
            "drift",
            "--baseline",
            str(base),
            "--snapshot",
            str(new),
            "--update-baseline",
            "--fail-on",
            "never",
        ]
    )
    assert code == 4
    assert (
        f"egress-audit: baseline {base} not updated: the collection was partial "
        "(not read: subscriptions batch 2/2)\n"
    ) in capsys.readouterr().err
    assert base.read_bytes() == before


def test_a_failed_write_leaves_the_old_baseline_and_no_temporary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _write(tmp_path / "baseline.json", baseline().document())
    before = base.read_bytes()
    new = _snapshot_file(tmp_path / "new.json")

    def fail(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code = main(["drift", "--baseline", str(base), "--snapshot", str(new), "--update-baseline"])
    assert code == 2
    assert capsys.readouterr().err.endswith(
        f"egress-audit: error: baseline {base}: cannot write: No space left on device\n"
    )
    assert base.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json", "new.json"]


def test_the_first_run_writes_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "baseline.json"
    new = _snapshot_file(tmp_path / "new.json")
    assert (
        main(["drift", "--baseline", str(base), "--snapshot", str(new), "--update-baseline"]) == 0
    )
    err = capsys.readouterr().err
    assert f"no baseline at {base} yet: nothing to compare" in err
    assert json.loads(base.read_text()) == snapshot.load(new).to_document()


def test_update_from_the_demo_copies_it(tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    assert main(["--demo", "--baseline", str(base), "--update-baseline", "--fail-on", "never"]) == 0
    assert main(["drift", "--demo", "--baseline", str(base)]) == 0


# -- the live path, through the collector's interface --------------------------------------


def _fake_collector(monkeypatch: pytest.MonkeyPatch, snap: Snapshot) -> list[Any]:
    """Stands in for the live collection (the real flags, a canned snapshot)."""
    calls: list[Any] = []

    def collect_from_args(args: Any) -> Snapshot:
        calls.append(args.subscriptions)
        return snap

    monkeypatch.setattr(collect_args, "collect_from_args", collect_from_args)
    return calls


def test_live_partial_collection_keeps_the_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "baseline.json", baseline().document())
    before = base.read_bytes()
    partial = snapshot.load(_snapshot_file(tmp_path / "live.json", errors=True))
    calls = _fake_collector(monkeypatch, partial)
    code = main(["drift", "--baseline", str(base), "--subscription", SUB, "--update-baseline"])
    assert code == 4
    assert calls == [[SUB]]
    assert "not updated: the collection was partial" in capsys.readouterr().err
    assert base.read_bytes() == before


def test_live_complete_collection_updates_the_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _write(tmp_path / "baseline.json", baseline().document())
    complete = snapshot.load(_snapshot_file(tmp_path / "live.json", nat_a_idle=10))
    _fake_collector(monkeypatch, complete)
    assert main(["drift", "--baseline", str(base), "--update-baseline", "--fail-on", "medium"]) == 0
    assert json.loads(base.read_text())["resources"] == complete.to_document()["resources"]


def test_a_bad_baseline_fails_before_collecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = baseline().document()
    document["version"] = 0
    base = _write(tmp_path / "baseline.json", document)
    calls = _fake_collector(monkeypatch, snapshot.load(_snapshot_file(tmp_path / "live.json")))
    assert main(["drift", "--baseline", str(base)]) == 2
    assert calls == []
    assert "unsupported snapshot version 0" in capsys.readouterr().err


def test_a_bad_row_in_the_baseline_fails_before_collecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Rows are decoded when the graph is built: the baseline's are read when it is loaded.
    document = baseline().document()
    document["resources"][snapshot.NAT_GATEWAYS][0]["id"] = 5
    base = _write(tmp_path / "baseline.json", document)
    calls = _fake_collector(monkeypatch, snapshot.load(_snapshot_file(tmp_path / "live.json")))
    assert main(["drift", "--baseline", str(base)]) == 2
    assert calls == []
    assert capsys.readouterr().err == (
        f"egress-audit: error: baseline {base}: "
        f"resources.{snapshot.NAT_GATEWAYS}[0].id: expected a string\n"
    )


def test_a_drift_rule_can_be_disabled_in_the_policy(tmp_path: Path) -> None:
    base = _write(tmp_path / "baseline.json", demo_as_of_november_8())
    policy = tmp_path / "egress-audit.yaml"
    policy.write_text("rules:\n  DRF004: {enabled: false}\n  DRF001: {enabled: false}\n")
    report = _json_report(
        tmp_path, "drift", "--baseline", str(base), "--demo", "--policy", str(policy), code=1
    )
    assert sorted({f["ruleId"] for f in report["findings"]}) == ["DRF002", "DRF003"]
    assert [r["id"] for r in report["rules"]] == ["DRF002", "DRF003", "DRF005", "DRF006"]


def test_a_drift_rule_takes_no_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "baseline.json", _demo())
    policy = tmp_path / "egress-audit.yaml"
    policy.write_text("rules:\n  DRF004:\n    minutes: 3\n")
    assert main(["drift", "--baseline", str(base), "--demo", "--policy", str(policy)]) == 2
    assert capsys.readouterr().err == (
        f"egress-audit: error: {policy}:3: rules.DRF004.minutes: unknown parameter 'minutes' "
        "(parameters: none)\n"
    )


def test_python_m_auditor_drift_on_the_demo(tmp_path: Path) -> None:
    """The documented command, as a process: a copy of the demo as baseline, no drift."""
    import subprocess

    base = _write(tmp_path / "demo-baseline.json", _demo())
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "drift", "--baseline", str(base), "--demo"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "Findings: 0 critical · 0 high · 0 medium · 0 low · 0 info\n" in done.stdout
