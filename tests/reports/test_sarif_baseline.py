"""`--sarif-previous`: baselineState new/unchanged/updated, absent only in the full report; and
the SARIF flags' usage errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from tests import estate_builder as b
from tests.reports import estates as e
from tests.reports.sarif_checks import check_upload, check_valid

S1, S2 = e.sub(1), e.sub(2)
KUBENET = b.cluster_id("aks-kubenet", "rg-app", S1)
BATCH = b.pool_id("aks", "batch", "rg-app", S1)
LOCKED = b.pool_id("aks", "locked", "rg-app", S1)
KUBENET_2 = b.cluster_id("aks-kubenet", "rg-app", S2)


def _snapshot(tmp_path: Path, name: str, est: b.Estate) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(est.document()))
    return path


def _sarif(tmp_path: Path, snapshot: Path, name: str, *extra: str) -> dict[str, Any]:
    out = tmp_path / name
    code = main(["--snapshot", str(snapshot), "--format", "sarif", "-o", str(out), *extra])
    assert code in (0, 1)
    document: dict[str, Any] = json.loads(out.read_text())
    return document


# The estates are built for these rules' findings; others the catalogue adds are not the point.
TRACKED = {"EGR001", "NET001"}


def _states(document: dict[str, Any]) -> dict[str, str]:
    return {
        r["properties"]["resourceId"]: r["baselineState"]
        for run in document["runs"]
        for r in run["results"]
        if r["ruleId"] in TRACKED
    }


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """Last week: S1 had kubenet and the misplaced batch pool, S2 had kubenet."""
    before = e.estate(e.site(S1, kubenet=True, bare_pool=True), e.site(S2, kubenet=True))
    _sarif(tmp_path, _snapshot(tmp_path, "before.json", before), "previous.sarif")
    return tmp_path / "previous.sarif"


@pytest.fixture
def now(tmp_path: Path) -> Path:
    """Now: the batch pool is fixed (gone), a private pool appeared, S2's kubenet remains."""
    after = e.estate(e.site(S1, kubenet=True, private_pool=True), e.site(S2, kubenet=True))
    return _snapshot(tmp_path, "after.json", after)


def test_upload_marks_new_and_unchanged_and_leaves_absent_out(
    tmp_path: Path, previous: Path, now: Path
) -> None:
    document = _sarif(tmp_path, now, "upload.sarif", "--sarif-previous", str(previous))
    check_upload(document)
    assert _states(document) == {LOCKED: "new", KUBENET: "unchanged", KUBENET_2: "unchanged"}


def test_full_report_keeps_absent_results_in_their_run(
    tmp_path: Path, previous: Path, now: Path
) -> None:
    document = _sarif(
        tmp_path, now, "full.sarif", "--sarif-previous", str(previous), "--sarif-full"
    )
    check_valid(document)
    run = document["runs"][0]
    assert run["automationDetails"]["id"] == f"egress-audit/{S1}/"
    tracked = [r for r in run["results"] if r["ruleId"] in TRACKED]
    assert [(r["properties"]["resourceId"], r["baselineState"]) for r in tracked] == [
        (LOCKED, "new"),
        (KUBENET, "unchanged"),
        (BATCH, "absent"),
    ]
    absent = tracked[2]
    assert absent["ruleId"] == "EGR001"
    assert run["tool"]["driver"]["rules"][absent["ruleIndex"]]["id"] == "EGR001"
    assert _states({"runs": document["runs"][1:]}) == {KUBENET_2: "unchanged"}


def test_changed_message_or_level_is_updated(tmp_path: Path, previous: Path, now: Path) -> None:
    old = json.loads(previous.read_text())
    for run in old["runs"]:
        for result in run["results"]:
            if result["properties"]["resourceId"] == KUBENET:
                result["message"]["text"] = "Cluster aks-kubenet used to say something else."
            if result["properties"]["resourceId"] == KUBENET_2:
                result["level"] = "warning"
    previous.write_text(json.dumps(old))
    document = _sarif(tmp_path, now, "upload.sarif", "--sarif-previous", str(previous))
    assert _states(document) == {LOCKED: "new", KUBENET: "updated", KUBENET_2: "updated"}


def test_previous_folder_of_split_files(tmp_path: Path, now: Path) -> None:
    before = e.estate(e.site(S1, kubenet=True, bare_pool=True), e.site(S2, kubenet=True))
    folder = tmp_path / "previous"
    snapshot = _snapshot(tmp_path, "before.json", before)
    assert (
        main(["--snapshot", str(snapshot), "--format", "sarif", "--output-dir", str(folder)]) == 1
    )
    document = _sarif(tmp_path, now, "full.sarif", "--sarif-previous", str(folder), "--sarif-full")
    assert _states(document) == {
        LOCKED: "new",
        KUBENET: "unchanged",
        BATCH: "absent",
        KUBENET_2: "unchanged",
    }


def test_previous_full_report_does_not_carry_absent_results_forward(
    tmp_path: Path, previous: Path, now: Path
) -> None:
    full = tmp_path / "full.sarif"
    main(["--snapshot", str(now), "--format", "sarif", "-o", str(full),
          "--sarif-previous", str(previous), "--sarif-full"])  # fmt: skip
    # Compared with that report, the batch pool is not absent again: it was already gone.
    document = _sarif(tmp_path, now, "again.sarif", "--sarif-previous", str(full), "--sarif-full")
    assert _states(document) == {LOCKED: "unchanged", KUBENET: "unchanged", KUBENET_2: "unchanged"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "previous.sarif: line 1 column 2: invalid JSON: "),
        ('{"version": "2.0.0", "runs": []}', "previous.sarif: version: not a SARIF 2.1.0 file"),
        ('{"version": "2.1.0", "runs": {}}', "previous.sarif: runs: expected a list"),
        (
            '{"version": "2.1.0", "runs": [{"results": 3}]}',
            "previous.sarif: runs[0].results: expected a list",
        ),
        (
            '{"version": "2.1.0", "runs": [{"results": [{"ruleId": "EGR001", '
            '"partialFingerprints": [1]}]}]}',
            "previous.sarif: runs[0].results[0].partialFingerprints: expected an object",
        ),
        (
            '{"version": "2.1.0", "runs": [{"results": [{"ruleId": "EGR001", '
            '"partialFingerprints": {"primaryLocationLineHash": 7}}]}]}',
            "previous.sarif: runs[0].results[0].partialFingerprints.primaryLocationLineHash: "
            "expected a string",
        ),
        (
            '{"version": "2.1.0", "runs": [{"results": [{"ruleId": "EGR001", "message": "gone", '
            '"partialFingerprints": {"primaryLocationLineHash": "ab:1"}}]}]}',
            "previous.sarif: runs[0].results[0].message: expected an object",
        ),
        (
            '{"version": "2.1.0", "runs": [{"automationDetails": {"id": ["x"]}}]}',
            "previous.sarif: runs[0].automationDetails.id: expected a string",
        ),
    ],
)
def test_bad_previous_sarif_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (tmp_path / "previous.sarif").write_text(content)
    code = main(
        ["--demo", "--format", "sarif", "--sarif-previous", str(tmp_path / "previous.sarif")]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.replace(str(tmp_path) + "/", "").startswith(
        f"egress-audit: error: {message}"
    )
    assert len(captured.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json", "--output-dir", "x"], "--output-dir needs --format sarif"),
        (["--format", "markdown", "--sarif-full"], "--sarif-full needs --format sarif"),
        (["--sarif-previous", "x.sarif"], "--sarif-previous needs --format sarif"),
        (
            ["--format", "sarif", "--output-dir", "x", "--output", "y"],
            "give --output FILE or --output-dir DIR, not both",
        ),
        (
            ["--format", "sarif", "--output-dir", "x", "--sarif-full"],
            "the full report (--sarif-full) is one file: use --output FILE",
        ),
    ],
)
def test_sarif_flag_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["--demo", *args])
    assert code == 2
    assert capsys.readouterr().err == f"egress-audit: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_all_failed_writes_no_file_into_the_output_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = b.Estate().document()
    document["scope"]["subscriptions"] = [S1]
    document["errors"] = [
        {"scope": f"/subscriptions/{S1}", "status": 403, "message": "denied", "subscriptions": [S1]}
    ]
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(document))
    out = tmp_path / "sarif"
    out.mkdir()
    (out / "egress-audit-1.sarif").write_text("{}")  # from an earlier run: must not be re-sent
    code = main(["--snapshot", str(snapshot), "--format", "sarif", "--output-dir", str(out)])
    assert code == 4
    assert list(out.iterdir()) == []
    assert "no SARIF written: no subscription was read completely" in capsys.readouterr().err
