"""GitHub's limits: ≤ 20 runs per file, ≤ 25,000 results per run, ≤ 10 MB gzipped per file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.arm import ResourceId
from auditor.cli import main
from auditor.model import Finding, Severity
from reports import sarif, sarif_split
from reports.sarif_split import Limits, upload_size
from tests import estate_builder as b
from tests.reports import estates as e
from tests.reports.sarif_checks import check_upload

SUBSCRIPTIONS = [e.sub(n) for n in range(1, 46)]  # 45: three files of 20, 20 and 5


@pytest.fixture(scope="module")
def large_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    est = e.estate(*(e.site(s, kubenet=True) for s in SUBSCRIPTIONS))
    path = tmp_path_factory.mktemp("estate") / "snapshot.json"
    path.write_text(json.dumps(est.document()))
    return path


def _categories(document: dict[str, Any]) -> list[str]:
    return [run["automationDetails"]["id"] for run in document["runs"]]


def test_output_dir_splits_by_twenty_subscriptions(large_snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "sarif"
    code = main(["--snapshot", str(large_snapshot), "--format", "sarif", "--output-dir", str(out)])
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "egress-audit-1.sarif",
        "egress-audit-2.sarif",
        "egress-audit-3.sarif",
    ]
    seen: list[str] = []
    for number, expected in (
        (1, SUBSCRIPTIONS[:20]),
        (2, SUBSCRIPTIONS[20:40]),
        (3, SUBSCRIPTIONS[40:]),
    ):
        text = (out / f"egress-audit-{number}.sarif").read_text(encoding="utf-8")
        document = json.loads(text)
        check_upload(document, text)
        assert _categories(document) == [f"egress-audit/{s}/" for s in expected]
        for run, subscription in zip(document["runs"], expected, strict=True):
            assert [
                r["properties"]["resourceId"] for r in run["results"] if r["ruleId"] == "NET001"
            ] == [b.cluster_id("aks-kubenet", "rg-app", subscription)]
        seen += _categories(document)
    assert len(set(seen)) == 45  # no category in two files


def test_stale_numbered_files_are_removed(large_snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "sarif"
    out.mkdir()
    for name in ("egress-audit-4.sarif", "egress-audit-17.sarif", "notes.sarif", "keep.txt"):
        (out / name).write_text("{}")
    assert (
        main(["--snapshot", str(large_snapshot), "--format", "sarif", "--output-dir", str(out)])
        == 1
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "egress-audit-1.sarif",
        "egress-audit-2.sarif",
        "egress-audit-3.sarif",
        "keep.txt",
        "notes.sarif",
    ]


def test_one_file_asked_for_when_more_are_needed_is_a_usage_error(
    large_snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "egress-audit.sarif"
    code = main(["--snapshot", str(large_snapshot), "--format", "sarif", "--output", str(out)])
    assert code == 2
    assert not out.exists()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "egress-audit: error: the SARIF needs at least 3 files to stay within GitHub's limits "
        "(20 subscriptions per file); use --output-dir DIR instead of --output\n"
    )


def test_demo_fits_one_numbered_file(tmp_path: Path) -> None:
    out = tmp_path / "sarif"
    assert main(["--demo", "--format", "sarif", "--output-dir", str(out)]) == 1
    assert [p.name for p in out.iterdir()] == ["egress-audit-1.sarif"]
    single = tmp_path / "single.sarif"
    main(["--demo", "--format", "sarif", "--output", str(single)])
    assert (out / "egress-audit-1.sarif").read_bytes() == single.read_bytes()


def _many_findings(count: int) -> Any:
    """One subscription with `count` findings of mixed severity (highest first, as the engine
    sorts them)."""
    result = e.audit(e.estate(e.site(e.sub(1))))
    cluster = b.cluster_id("aks", "rg-app", e.sub(1))
    severities = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
    findings = [
        Finding(
            "NET001",
            severities[i * len(severities) // count],
            ResourceId.of(f"{cluster}/agentPools/pool{i:05d}"),
            f"Node pool pool{i:05d} of cluster aks is finding number {i}. " + "x" * 40,
        )
        for i in range(count)
    ]
    findings.sort(key=Finding.sort_key)
    return dataclasses.replace(result, findings=tuple(findings))


def test_results_over_the_run_limit_keep_the_highest_severity() -> None:
    result = _many_findings(10)
    options = sarif.Options(limits=Limits(results_per_run=4))
    (document,) = sarif.documents(result, options)
    (run,) = document["runs"]
    assert [r["properties"]["severity"] for r in run["results"]] == [
        "critical",
        "critical",
        "high",
        "high",
    ]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["descriptor"] == {"id": "EA-RESULTS-CUT"}
    assert notification["level"] == "warning"
    assert notification["properties"] == {"total": 10, "kept": 4, "cut": 6}
    assert notification["message"]["text"].startswith(
        f"Subscription {e.sub(1)} has 10 results; this file keeps the 4 of highest severity "
        "and leaves out 6"
    )
    # The full report is not uploaded: it keeps everything.
    (full,) = sarif.documents(result, dataclasses.replace(options, full=True))
    assert len(full["runs"][0]["results"]) == 10


def test_default_limit_is_25000_results_per_run() -> None:
    result = _many_findings(25_003)
    (document,) = sarif.documents(result, sarif.Options())
    (run,) = document["runs"]
    assert len(run["results"]) == 25_000
    assert run["results"][-1]["properties"]["severity"] == "info"
    assert run["invocations"][0]["toolExecutionNotifications"][0]["properties"] == {
        "total": 25_003,
        "kept": 25_000,
        "cut": 3,
    }


def test_files_are_split_further_when_too_large_compressed() -> None:
    est = e.estate(*(e.site(e.sub(n), kubenet=True) for n in range(1, 7)))
    result = e.audit(est)
    (whole,) = sarif.documents(result, sarif.Options())
    one_run = upload_size({**whole, "runs": whole["runs"][:1]})
    # Runs share their rules, so they compress well together: a limit half-way between one
    # run and six is too small for six and large enough for one.
    limit = (one_run + upload_size(whole)) // 2
    docs = sarif.documents(result, sarif.Options(limits=Limits(gzip_bytes=limit)))
    assert 2 <= len(docs) < 6
    assert [c for d in docs for c in (r["automationDetails"]["id"] for r in d["runs"])] == [
        f"egress-audit/{e.sub(n)}/" for n in range(1, 7)
    ]
    for document in docs:
        assert upload_size(document) <= limit
        check_upload(document)


def test_one_run_too_large_compressed_is_cut() -> None:
    result = _many_findings(400)
    (whole,) = sarif.documents(result, sarif.Options())
    limit = upload_size(whole) // 2
    (document,) = sarif.documents(result, sarif.Options(limits=Limits(gzip_bytes=limit)))
    assert upload_size(document) <= limit
    (run,) = document["runs"]
    kept = len(run["results"])
    assert 0 < kept < 400
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["properties"] == {"total": 400, "kept": kept, "cut": 400 - kept}
    assert run["results"][0]["properties"]["severity"] == "critical"


def test_the_size_of_a_file_is_measured_run_by_run_as_the_whole_file_measures() -> None:
    est = e.estate(*(e.site(e.sub(n), kubenet=True) for n in range(1, 7)))
    (whole,) = sarif.documents(e.audit(est), sarif.Options())
    for count in range(len(whole["runs"]) + 1):
        runs = whole["runs"][:count]
        assert sarif_split._upload_size_of(runs, sarif._log) == upload_size(sarif._log(runs))
