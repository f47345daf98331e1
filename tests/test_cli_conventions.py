"""Command-line conventions: -o is a file (never a format), -f is --format, severities and
formats are case-insensitive, no abbreviations, suggestions for typos, and no live read of the
whole tenant unless asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("egress-audit")
    return err.strip()


@pytest.mark.parametrize("value", ["json", "sarif", "JSON", "markdown", "html", "text"])
def test_an_output_that_is_a_format_name_is_refused_with_a_hint(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--demo", "-o", value]) == 2
    assert f"did you mean --format {value.lower()}?" in _error(capsys)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["table", "tsv", "yaml", "none"])
def test_an_azure_cli_output_format_is_refused_too(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--demo", "--output", value]) == 2
    err = _error(capsys)
    assert "-o/--output names the file to write; the format is --format (text, json" in err
    assert list(tmp_path.iterdir()) == []


def test_a_path_named_like_a_format_is_still_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--demo", "-f", "json", "-o", "./json", "--fail-on", "never"]) == 0
    assert json.loads((tmp_path / "json").read_text())["clusters"]
    assert main(["--demo", "-f", "json", "-o", "report.json", "--fail-on", "never"]) == 0
    assert (tmp_path / "report.json").exists()


def test_the_snapshot_command_refuses_a_format_name_as_its_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["snapshot", "--subscription", "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                 "-o", "json"]) == 2  # fmt: skip
    assert "'json' looks like a format" in _error(capsys)


def test_short_format_flag_and_case_insensitive_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "-f", "JSON", "--fail-on", "NEVER"]) == 0
    assert json.loads(capsys.readouterr().out)["clusters"]
    assert main(["--demo", "--format", "Markdown", "--fail-on", "Critical"]) == 1
    assert capsys.readouterr().out.startswith("#")
    assert main(["rules", "-f", "TEXT"]) == 0
    assert main(["graph", "--demo", "-f", "DOT"]) == 0


def test_abbreviated_flags_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dem"]) == 2
    assert "unrecognized arguments: --dem (did you mean --demo?)" in _error(capsys)
    assert main(["--demo", "--fail", "never"]) == 2
    assert "(did you mean --fail-on?)" in _error(capsys)


def test_mistyped_flags_and_subcommands_get_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--demo", "--polcy", "x.yaml"]) == 2
    assert "unrecognized arguments: --polcy x.yaml (did you mean --policy?)" in _error(capsys)
    assert main(["drfit", "--demo"]) == 2
    assert "(did you mean `egress-audit drift`?)" in _error(capsys)
    assert main(["--demo", "--format", "jsn"]) == 2
    assert "(did you mean json?)" in _error(capsys)
    assert main(["--demo", "--fail-on", "hihg"]) == 2
    assert "(did you mean high?)" in _error(capsys)


def test_bare_command_prints_help_instead_of_reading_the_tenant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: egress-audit")
    assert "--all-subscriptions" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "json"],
        ["--policy", "egress-audit.yaml", "--fail-on", "high"],
        ["snapshot", "-o", "estate.json"],
        ["graph"],
    ],
)
def test_no_scope_asks_for_all_subscriptions(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.collect import credentials

    def never(*args: object) -> None:
        raise AssertionError("no credential may be built without a scope")

    monkeypatch.setattr(credentials, "build_credential", never)
    if "--policy" in argv:
        monkeypatch.chdir(Path(__file__).parent.parent / "auditor" / "demo")
    assert main(argv) == 2
    err = _error(capsys)
    assert "say which estate to read: --subscription ID, --management-group NAME or " in err
    assert "--all-subscriptions" in err


def test_all_subscriptions_does_not_combine_with_a_named_scope(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sub = "00000000-0000-0000-0000-000000000000"
    assert main(["--all-subscriptions", "--subscription", sub]) == 2
    assert "--all-subscriptions reads every subscription" in _error(capsys)


def test_all_subscriptions_is_a_live_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--all-subscriptions"]) == 2
    assert "--all-subscriptions only apply when collecting live" in _error(capsys)
