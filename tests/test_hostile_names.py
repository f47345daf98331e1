"""Hostile names and sizes in every report: each value from the inputs is capped, control and
bidi characters are shown as escapes in text and Markdown, and the Markdown job summary keeps
mentions and bare links from working and stays under 1 MiB whatever the input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor import safetext
from auditor.arm import ResourceId
from auditor.cli import main
from auditor.model import CollectionError, Finding, RuleError, Severity
from auditor.result import AuditResult
from auditor.safetext import MAX_SHOWN
from reports import markdown
from tests import estate_builder as b

FORMATS = ["text", "json", "sarif", "markdown", "html"]
MIB = 1024 * 1024


def _estate(cluster: str = "aks") -> dict[str, Any]:
    nodes = b.subnet_id("vnet", "nodes")
    nat = b.nat_id("ng")
    return (
        b.Estate()
        .add(
            b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16", nat=nat)]),
            b.nat("ng", ips=(b.pip_id("pip"),), subnets=(nodes,)),
            b.public_ip("pip", "20.0.0.1"),
            b.cluster(cluster, [b.pool("sys", nodes), b.pool("user", nodes)]),
        )
        .document()
    )


def _report(tmp_path: Path, fmt: str, snapshot: dict[str, Any], policy: str = "") -> str:
    (tmp_path / "snapshot.json").write_text(json.dumps(snapshot))
    (tmp_path / "egress-audit.yaml").write_text(policy or "version: 1\n")
    out = tmp_path / f"report.{fmt}"
    code = main(
        [
            *("--snapshot", str(tmp_path / "snapshot.json")),
            *("--policy", str(tmp_path / "egress-audit.yaml")),
            *("--format", fmt, "-o", str(out), "--fail-on", "never"),
        ]
    )
    assert code in (0, 4)
    return out.read_text(encoding="utf-8")


def _longest_run(text: str, char: str) -> int:
    return max((len(m) for m in re.findall(f"{re.escape(char)}+", text)), default=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_huge_workload_name_from_a_manifest_is_capped_in_every_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # The reproducer, scaled down: a 2 MB manifest whose workload is named in a finding per
    # node pool, its message and its fix (a 20 MB one made a 1.84 GB SARIF).
    monkeypatch.chdir(tmp_path)
    name = "w" * 2_000_000
    Path("k8s.yaml").write_text(
        f"kind: Deployment\nmetadata:\n  name: {name}\n  annotations:\n"
        '    egress-audit.io/max-idle-seconds: "600"\n'
    )
    policy = "clusters:\n  - match: {resource_group: '*'}\n    manifests: [k8s.yaml]\n"
    report = _report(tmp_path, fmt, _estate(), policy)
    assert MAX_SHOWN - 100 < _longest_run(report, "w") <= MAX_SHOWN  # there, capped
    assert re.search(r"more characters\\?\]", report)  # Markdown escapes the bracket
    assert len(report.encode("utf-8")) < 300_000  # the rules' descriptors are most of it


@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_resource_names_are_capped_in_every_report(tmp_path: Path, fmt: str) -> None:
    report = _report(tmp_path, fmt, _estate(cluster="c" * 300_000))
    assert 0 < _longest_run(report, "c") <= MAX_SHOWN
    assert len(report.encode("utf-8")) < 500_000


def test_a_megabyte_policy_id_keeps_the_job_summary_under_1_mib(tmp_path: Path) -> None:
    # The reproducer: a 1.1 MB `id` glob, quoted in the warning that it matches no cluster.
    policy = f"clusters:\n  - match: {{id: '{'i' * 1_100_000}'}}\n"
    summary = _report(tmp_path, "markdown", _estate(), policy)
    assert MAX_SHOWN - 200 < _longest_run(summary, "i") <= MAX_SHOWN
    assert len(summary.encode("utf-8")) < MIB


def _finding(number: int, text: str) -> Finding:
    resource = ResourceId.of(b.cluster_id(f"aks-{number}-{text}"))
    return Finding(
        "NET001", Severity.HIGH, resource, text, remediation=text, evidence=(ResourceId.of(text),)
    )


def test_the_job_summary_stays_under_1_mib_whatever_the_result_holds() -> None:
    long = "z" * 50_000
    subscriptions = tuple(f"{n:08d}-0000-4000-8000-000000000000" for n in range(1000))
    result = AuditResult(
        tool_version="0.1.0",
        source=long,
        collected_at="2026-11-20T06:00:00Z",
        scope={},
        clusters=(),
        rules=(),
        findings=tuple(_finding(n, long) for n in range(100)),
        rule_errors=tuple(RuleError(f"R{n}", long) for n in range(100)),
        collection_errors=tuple(
            CollectionError(long, 500, long, subscriptions) for _ in range(100)
        ),
        warnings=tuple(long for _ in range(100)),
        unknown_ids=tuple(ResourceId.of(f"{b.nat_id(str(n))}{long}") for n in range(100)),
    )
    summary = markdown.render(result)
    assert len(summary.encode("utf-8")) < MIB
    assert "a job summary is limited to 1 MiB" in summary
    assert _longest_run(summary, "z") <= MAX_SHOWN


# ESC sequences that clear the screen and retitle the window, a bell, a right-to-left override.
HOSTILE = "aks\x1b[2J\x1b]0;pwned\x07\u202eevil\x9b\r"
SHOUT = "see https://evil.example/x and WWW.evil.example, ping @octocat or bob@example.com"
# Control and bidi characters that must never reach a terminal or a summary raw.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _hostile_snapshot() -> dict[str, Any]:
    document = _estate(cluster=HOSTILE)
    document["errors"] = [
        {
            "scope": "subscriptions batch 2/2",
            "status": 403,
            "message": f"{SHOUT} \x1b[31m",
            "subscriptions": ["22222222-2222-4222-8222-222222222222"],
        }
    ]
    return document


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_control_and_bidi_characters_are_shown_never_obeyed(tmp_path: Path, fmt: str) -> None:
    report = _report(tmp_path, fmt, _hostile_snapshot())
    assert UNSAFE.search(report) is None
    assert "\\x1b" in report
    assert "\\u202e" in report


def test_text_cannot_forge_a_line(tmp_path: Path) -> None:
    document = _estate(cluster="aks\nNOT READ: nothing, all clean")
    report = _report(tmp_path, "text", document)
    assert "\nNOT READ" not in report
    assert "aks\\x0aNOT READ: nothing, all clean" in report


def test_the_job_summary_neither_mentions_nor_links(tmp_path: Path) -> None:
    summary = _report(tmp_path, "markdown", _hostile_snapshot())
    assert "ping @\u2060octocat" in summary  # reads the same, notifies no one
    assert "bob@\u2060example.com" in summary
    assert re.search(r"@[A-Za-z0-9]", summary) is None
    assert "https://" not in summary
    assert re.search("www\\.", summary, re.IGNORECASE) is None


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_reports_keep_hostile_names_as_escaped_data(tmp_path: Path, fmt: str) -> None:
    report = _report(tmp_path, fmt, _hostile_snapshot())
    assert "\x1b" not in report  # written \u001b
    assert any(HOSTILE in text for text in _strings(json.loads(report)))  # unchanged data


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in _strings(item)] if isinstance(value, list) else []


def test_sarif_locations_of_huge_ids_stay_valid_unique_uris() -> None:
    from reports.sarif_location import MAX_URI, artifact

    base = b.nat_id("n" * 10_000)
    uris = {artifact(ResourceId.of(base + suffix), None)[0] for suffix in ("-a", "-b", "é")}
    assert len(uris) == 3
    for uri in uris:
        assert len(uri) <= MAX_URI
        assert re.fullmatch(r"[A-Za-z0-9._~%/-]+", uri), uri[-40:]
        assert not re.search(r"%.?$|%.?/", uri[-20:])  # no escape cut in half


def test_text_python_calls_printable_has_nothing_to_escape() -> None:
    # escape_controls returns printable text as it is: that is safe only while every
    # character it escapes is one str.isprintable refuses.
    escaped = [chr(c) for c in range(0x110000) if safetext._UNSAFE.match(chr(c))]
    assert escaped
    assert not [c for c in escaped if c.isprintable()]
    assert safetext.escape_controls("égress → ok") == "égress → ok"
