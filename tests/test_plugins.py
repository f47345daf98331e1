"""Third-party rules from the `egress_audit.rules` entry-point group, through the CLI.

Each test installs a tiny distribution (a dist-info folder and a module) on sys.path in
tmp_path, which importlib.metadata discovers exactly like an installed package.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from auditor.cli import main
from rules.registry import BUILTIN, all_rules
from tests import estate_builder as b

PLUGIN = """\
import dataclasses
from auditor.model import Finding, Rule, RuleMeta, Severity

META = RuleMeta(
    id="ACME001",
    name="acme-cluster-tag-owner",
    title="Clusters carry an owner tag",
    severity=Severity.LOW,
    description="The cluster has no owner tag.",
    help_markdown="House rule of ACME ([wiki](https://wiki.example.com/owner)).",
    remediation="az tag update --resource-id <cluster> --operation merge --tags owner=<team>",
    sources=("https://wiki.example.com/owner",),
    tags=("security", "acme"),
)


def check(context):
    for cluster in context.graph.clusters():
        if "owner" not in cluster.tags:
            yield META.finding(
                resource_id=cluster.id,
                message=f"Cluster {cluster.name} has no owner tag.",
                remediation="az tag update --operation merge --tags owner=<team>",
            )


RULE = Rule(META, check)
CLASH = Rule(dataclasses.replace(META, id="NET001"), check)


def rules():
    return [RULE]


def broken():
    raise RuntimeError("licence server unreachable")
"""


def _install(site: Path, module: str, entry_points: str) -> None:
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(PLUGIN)
    dist = site / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[egress_audit.rules]\n" + textwrap.dedent(entry_points).replace("MODULE", module)
    )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    return path


def _module(request: pytest.FixtureRequest) -> str:
    # A fresh module name per test: sys.modules would otherwise keep an earlier test's import.
    return "acme_rules_" + re.sub(r"\W+", "_", request.node.name)


def _snapshot(tmp_path: Path) -> str:
    estate = b.Estate().add(
        b.cluster("old", [b.pool("sys")], plugin="kubenet", plugin_mode=None, outbound_type="none")
    )
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(estate.document()))
    return str(path)


def test_plugin_findings_appear_beside_the_builtins(
    site: Path, tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(site, _module(request), "acme = MODULE:RULE\n")
    assert main(["--snapshot", _snapshot(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["ruleId"], f["resourceId"]) for f in report["findings"]] == [
        ("NET001", b.cluster_id("old")),
        ("ACME001", b.cluster_id("old")),
    ]
    assert report["rules"][-1]["id"] == "ACME001"


def test_a_function_returning_rules_and_the_rules_listing(
    site: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(site, _module(request), "acme = MODULE:rules\n")
    assert [r.meta.id for r in all_rules()] == [*(r.meta.id for r in BUILTIN), "ACME001"]
    assert main(["rules"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.split() == [
        "ACME001",
        "low",
        "acme-cluster-tag-owner",
        *["Clusters", "carry", "an", "owner", "tag"],
    ]


def test_the_policy_may_configure_plugin_rules(
    site: Path, tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(site, _module(request), "acme = MODULE:RULE\n")
    policy = tmp_path / "p.yaml"
    policy.write_text("rules:\n  ACME001: {enabled: false}\n")
    assert (
        main(["--snapshot", _snapshot(tmp_path), "--policy", str(policy), "--format", "json"]) == 1
    )
    report = json.loads(capsys.readouterr().out)
    assert [f["ruleId"] for f in report["findings"]] == ["NET001"]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("acme = MODULE:CLASH", "rule ID NET001 is already taken by built-in rule NET001"),
        ("acme = MODULE:broken", "failed to load: RuntimeError: licence server unreachable"),
        ("acme = MODULE:NOPE", "failed to load: AttributeError"),
        ("acme = MODULE:META", "gave RuleMeta, not a Rule"),
    ],
)
def test_a_bad_plugin_is_an_input_error_naming_the_entry_point(
    site: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    entry: str,
    problem: str,
) -> None:
    module = _module(request)
    _install(site, module, entry + "\n")
    assert main(["--snapshot", _snapshot(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    value = entry.split(" = ")[1].replace("MODULE", module)
    assert line.startswith(
        f"egress-audit: error: rule plugin 'acme' ({value}, entry point group egress_audit.rules)"
    )
    assert problem in line
    assert "Traceback" not in captured.err


def test_two_plugins_with_one_id_clash(
    site: Path, tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(site, _module(request), "acme = MODULE:RULE\nzeta = MODULE:rules\n")
    assert main(["rules"]) == 2
    assert "rule ID ACME001 is already taken by plugin acme rule ACME001" in capsys.readouterr().err
