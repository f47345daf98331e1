"""SARIF written run by run: the layout, files made one after the other, the full report's own
rules per run, and the one-file limit checked before the estate is collected or audited."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor import cli_sarif
from auditor.cli import main
from auditor.errors import CollectionFailed
from auditor.graph.estate import EgressGraph
from auditor.model import RuleError
from auditor.result import AuditResult
from reports import sarif, sarif_split
from reports.sarif_baseline import Baseline, Previous
from tests.reports import estates as e
from tests.reports.sarif_checks import check_upload, check_valid

SUBSCRIPTIONS = [e.sub(n) for n in range(1, 46)]  # 45: three upload files


@pytest.fixture(scope="module")
def wide() -> AuditResult:
    return e.audit(e.estate(*(e.site(s, kubenet=True) for s in SUBSCRIPTIONS)))


@pytest.fixture
def wide_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(e.estate(*(e.site(s) for s in SUBSCRIPTIONS)).document()))
    return path


def _counting_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    run = sarif._run

    def counted(result: AuditResult, subscription: str, *args: Any) -> dict[str, Any]:
        made.append(subscription)
        return run(result, subscription, *args)

    monkeypatch.setattr(sarif, "_run", counted)
    return made


def test_the_layout_is_indented_json_with_one_result_a_line(wide: AuditResult) -> None:
    (document, *_) = sarif.documents(wide, sarif.Options())
    text = sarif.serialize(document)
    assert json.loads(text) == document
    results = [line for line in text.splitlines() if line.startswith(" " * 8 + '{"ruleId"')]
    assert len(results) == sum(len(run["results"]) for run in document["runs"]) > 0
    # Everything but the results is laid out as json.dumps(..., indent=2) lays it out.
    bare = {**document, "runs": [{**run, "results": []} for run in document["runs"]]}
    assert sarif.serialize(bare) == json.dumps(bare, indent=2, ensure_ascii=False) + "\n"


def test_output_dir_files_are_made_one_after_the_other(
    wide: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _counting_runs(monkeypatch)
    files = sarif.directory(wide, sarif.Options())
    first = json.loads("".join(next(files)))
    check_upload(first)
    assert len(made) == 20  # only the runs of the first file exist yet
    rest = [json.loads("".join(chunks)) for chunks in files]
    assert len(made) == 45
    assert [d["runs"] for d in [first, *rest]] == [
        d["runs"] for d in sarif.documents(wide, sarif.Options())
    ]


def test_the_full_report_is_written_run_by_run(
    wide: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _counting_runs(monkeypatch)
    chunks = sarif.single(wide, sarif.Options(full=True))
    seen: list[str] = []
    while '"automationDetails"' not in "".join(seen):
        seen.append(next(chunks))
    assert made == [SUBSCRIPTIONS[0]]
    text = "".join(seen) + "".join(chunks)
    assert len(made) == 45
    document = json.loads(text)
    check_valid(document)
    assert document == sarif.documents(wide, sarif.Options(full=True))[0]


def test_full_report_runs_list_only_the_rules_they_refer_to(wide: AuditResult) -> None:
    failed = dataclasses.replace(wide, rule_errors=(RuleError("NAT007", "RuntimeError: boom"),))
    gone = {
        "ruleId": "EGR001",
        "message": {"text": "Node pool batch sits in a subnet without the NAT gateway."},
        "partialFingerprints": {"primaryLocationLineHash": "0123456789abcdef:1"},
    }
    previous = Baseline(
        {("EGR001", "0123456789abcdef:1"): Previous(f"egress-audit/{e.sub(2)}/", gone)}
    )
    (document,) = sarif.documents(failed, sarif.Options(full=True, previous=previous))
    check_valid(document)  # every ruleIndex and associatedRule points at its rule
    catalogue = [rule.id for rule in failed.rules]
    for run in document["runs"]:
        listed = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        referred = {r["ruleId"] for r in run["results"]} | {"NAT007"}  # the failed rule
        assert listed == [rule_id for rule_id in catalogue if rule_id in referred]
    absent = document["runs"][1]["results"][-1]
    assert absent["baselineState"] == "absent"
    assert document["runs"][1]["tool"]["driver"]["rules"][absent["ruleIndex"]]["id"] == "EGR001"
    # The upload still lists every rule the audit ran in every run.
    for upload in sarif.documents(failed, sarif.Options()):
        for run in upload["runs"]:
            assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == catalogue


def test_one_file_is_refused_before_the_estate_is_audited(
    wide_snapshot: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def audited(*args: object) -> None:
        raise AssertionError("the estate was audited")

    monkeypatch.setattr(EgressGraph, "from_snapshot", audited)
    out = tmp_path / "one.sarif"
    assert main(["--snapshot", str(wide_snapshot), "--format", "sarif", "--output", str(out)]) == 2
    assert "needs at least 3 files" in capsys.readouterr().err
    assert not out.exists()


def test_a_scope_that_names_no_subscriptions_is_checked_once_the_runs_are_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = e.estate(*(e.site(s) for s in SUBSCRIPTIONS)).document()
    document["scope"] = {}
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(document))
    out = tmp_path / "one.sarif"
    assert main(["--snapshot", str(snapshot), "--format", "sarif", "--output", str(out)]) == 2
    assert capsys.readouterr().err == (
        "egress-audit: error: the SARIF needs 3 files to stay within GitHub's limits "
        "(20 subscriptions per file); use --output-dir DIR instead of --output\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        (["--output", "one.sarif"], 2),  # refused before collecting
        ([], 2),  # standard output is one file too
        (["--output-dir", "sarif"], 3),  # collected (here: the stand-in fails)
        (["--sarif-full", "--output", "full.sarif"], 3),
    ],
)
def test_named_subscriptions_over_one_file_are_refused_before_collecting(
    flags: list[str],
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def collect(args: object) -> None:
        raise CollectionFailed("collection started")

    monkeypatch.setattr("auditor.collect.args.collect_from_args", collect)
    monkeypatch.chdir(tmp_path)
    named = [flag for s in SUBSCRIPTIONS[:21] for flag in ("--subscription", s)]
    # The same subscription in other casing is one subscription: 20 fit one file.
    fits = [*named[:40], "--subscription", SUBSCRIPTIONS[0].upper()]
    assert main([*fits, "--format", "sarif", *flags]) == 3
    capsys.readouterr()
    assert main([*named, "--format", "sarif", *flags]) == code
    err = capsys.readouterr().err
    if code == 2:
        assert "the SARIF needs at least 2 files" in err
    else:
        assert "collection started" in err


def test_a_failure_while_writing_the_folder_leaves_it_as_it_was(
    wide_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sarif"
    out.mkdir()
    earlier = {f"egress-audit-{n}.sarif": f"earlier {n}" for n in (1, 2, 3, 4)}
    for name, text in earlier.items():
        (out / name).write_text(text)
    write = cli_sarif.write_chunks_atomic
    written: list[str] = []

    def failing(chunks: Iterator[str], path: Path) -> None:
        if written:
            raise OSError(28, "No space left on device")
        write(chunks, path)
        written.append(path.name)

    monkeypatch.setattr(cli_sarif, "write_chunks_atomic", failing)
    args = ["--snapshot", str(wide_snapshot), "--format", "sarif", "--output-dir", str(out)]
    assert main(args) == 2
    assert written == ["egress-audit-1.sarif"]
    assert {p.name: p.read_text() for p in out.iterdir()} == earlier  # nothing else, no mix
    monkeypatch.setattr(cli_sarif, "write_chunks_atomic", write)
    assert main(args) == 1  # findings
    assert sorted(p.name for p in out.iterdir()) == [f"egress-audit-{n}.sarif" for n in (1, 2, 3)]


def test_the_size_of_a_file_is_measured_without_encoding_the_rules_once_per_run(
    wide: AuditResult,
) -> None:
    """Every run of an upload refers to one tool object (all rule descriptors): the size
    check of a file encodes it once, and still measures exactly what would be written."""
    runs = list(sarif._runs(wide, sarif.Options()))
    assert len({id(run["tool"]) for run in runs}) == 1
    for count in (0, 1, 2, 20):
        compact = sarif_split.compact(sarif._log(runs[:count]))
        assert sarif_split._compact_size(runs[:count], sarif._log) == len(compact)
