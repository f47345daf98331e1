"""Hostile input files: alias bombs, deep nesting, control characters, lone surrogates, numbers
past Python's limits and an unchecked scope. Each is refused with one line naming the file and
the line (exit 2), or read with a warning — never a traceback, a hang or a crash at output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.snapshot import MANAGED_CLUSTERS
from auditor.yamlnode import MAX_ALIAS_NODES, MAX_DEPTH
from tests import estate_builder as b

Capsys = pytest.CaptureFixture[str]


def _estate() -> dict[str, Any]:
    nodes = b.subnet_id("vnet", "nodes")
    nat = b.nat_id("ng")
    return (
        b.Estate()
        .add(
            b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16", nat=nat)]),
            b.nat("ng", ips=(b.pip_id("pip"),), subnets=(nodes,)),
            b.public_ip("pip", "20.0.0.1"),
            b.cluster("aks", [b.pool("sys", nodes)]),
        )
        .document()
    )


def _write_snapshot(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _refused(tmp_path: Path, capsys: Capsys, *argv: str) -> str:
    """Exit 2 with one line on stderr and nothing on stdout; that line, paths shortened."""
    code = main([*argv, "--format", "json"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0].replace(f"{tmp_path}/", "")


def _refused_policy(tmp_path: Path, capsys: Capsys, text: str) -> str:
    policy = tmp_path / "egress-audit.yaml"
    policy.write_text(text)
    snapshot = _write_snapshot(tmp_path, _estate())
    return _refused(tmp_path, capsys, "--snapshot", str(snapshot), "--policy", str(policy))


def _refused_manifest(tmp_path: Path, capsys: Capsys, text: str) -> str:
    # Manifests are named relative to the current folder.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        return _refused_in_manifest(tmp_path, capsys, text)


def _refused_in_manifest(tmp_path: Path, capsys: Capsys, text: str) -> str:
    (tmp_path / "k8s.yaml").write_text(text)
    policy = "clusters:\n  - match: {resource_group: '*'}\n    manifests: [k8s.yaml]\n"
    return _refused_policy(tmp_path, capsys, policy)


def _bomb(levels: int, anchor: str = "a") -> str:
    """Nine-fold nested aliases: `levels` lines standing for 9**levels nodes."""
    lines = [f'{anchor}0: &{anchor}0 ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, levels):
        refs = ",".join([f"*{anchor}{level - 1}"] * 9)
        lines.append(f"{anchor}{level}: &{anchor}{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_used_as_a_key_is_refused_without_being_built(
    tmp_path: Path, capsys: Capsys
) -> None:
    # The reproducer: an alias bomb as a mapping key, whose repr went into the error message.
    text = "version: 1\n" + _bomb(7) + "? *a6\n: 1\n"
    assert len(text) < 500
    message = _refused_policy(tmp_path, capsys, text)
    assert message.startswith("egress-audit: error: egress-audit.yaml:")
    assert f"invalid YAML: aliases expand to more than {MAX_ALIAS_NODES:,} nodes" in message


def test_a_scalar_key_is_quoted_bounded(tmp_path: Path, capsys: Capsys) -> None:
    message = _refused_policy(tmp_path, capsys, f"version: 1\n? {'k' * 100_000}\n: 1\n")
    assert message.startswith("egress-audit: error: egress-audit.yaml:2: ")
    assert "unknown key 'kkk" in message
    assert "more characters]" in message
    assert len(message) < 2000


def test_a_key_that_is_a_list_is_an_error_at_its_line(tmp_path: Path, capsys: Capsys) -> None:
    assert _refused_policy(tmp_path, capsys, "version: 1\n? [a, b]\n: 1\n") == (
        "egress-audit: error: egress-audit.yaml:2: a key must be a string, not a list or mapping"
    )


def test_an_alias_bomb_of_nested_lists_in_a_manifest_is_refused(
    tmp_path: Path, capsys: Capsys
) -> None:
    deployment = (
        "{kind: Deployment, metadata: {name: w, annotations: "
        '{"egress-audit.io/max-idle-seconds": "600"}}}'
    )
    # Each List holds nine aliases of the one before: 9**8 deployments in a few hundred bytes.
    items = [f"- &l0 {{kind: List, items: [{', '.join([deployment] * 9)}]}}"]
    items += [
        f"- &l{level} {{kind: List, items: [{', '.join([f'*l{level - 1}'] * 9)}]}}"
        for level in range(1, 9)
    ]
    text = "kind: List\nitems:\n" + "\n".join(items) + "\n"
    message = _refused_manifest(tmp_path, capsys, text)
    assert message.startswith("egress-audit: error: k8s.yaml:")
    assert f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes" in message


def test_aliases_within_the_bound_are_read(tmp_path: Path, capsys: Capsys) -> None:
    policy = tmp_path / "egress-audit.yaml"
    policy.write_text(
        "version: 1\nclusters:\n"
        "  - match: {resource_group: 'rg-*'}\n"
        "    workloads: &needs [{name: longpoll, max_idle_seconds: 600}]\n"
        "  - match: {resource_group: '*-prod'}\n"
        "    workloads: *needs\n"
    )
    snapshot = _write_snapshot(tmp_path, _estate())
    assert main(["--snapshot", str(snapshot), "--policy", str(policy), "--fail-on", "never"]) == 0


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deep_nesting_in_a_policy_is_an_error_not_a_recursion_error(
    tmp_path: Path, capsys: Capsys, depth: int
) -> None:
    text = "version: 1\nclusters: " + "[" * depth + "]" * depth + "\n"
    assert _refused_policy(tmp_path, capsys, text) == (
        f"egress-audit: error: egress-audit.yaml:2: invalid YAML: nested deeper than "
        f"{MAX_DEPTH} levels"
    )


def test_deep_block_nesting_in_a_manifest_is_an_error(tmp_path: Path, capsys: Capsys) -> None:
    text = "kind: Deployment\nmetadata:\n" + "".join(
        f"{'  ' * (level + 1)}k{level}:\n" for level in range(1000)
    )
    message = _refused_manifest(tmp_path, capsys, text)
    assert message.startswith("egress-audit: error: k8s.yaml:")
    assert message.endswith(f"invalid YAML: nested deeper than {MAX_DEPTH} levels")


def test_a_recursive_list_alias_in_a_manifest_is_an_error(tmp_path: Path, capsys: Capsys) -> None:
    assert _refused_manifest(tmp_path, capsys, "&a {kind: List, items: [*a]}\n") == (
        "egress-audit: error: k8s.yaml:1: invalid YAML: an alias inside the node it names (a cycle)"
    )


def test_deeply_nested_json_is_an_error(tmp_path: Path, capsys: Capsys) -> None:
    document = json.dumps(_estate())
    deep = document.replace('"changes": []', '"changes": ' + "[" * 100_000 + "]" * 100_000)
    snapshot = _write_snapshot(tmp_path, deep)
    assert _refused(tmp_path, capsys, "--snapshot", str(snapshot)) == (
        "egress-audit: error: snapshot.json: invalid JSON: nested too deeply"
    )


def test_a_nul_in_yaml_is_one_line_with_its_line_number(tmp_path: Path, capsys: Capsys) -> None:
    assert _refused_policy(tmp_path, capsys, "version: 1\nclusters:\x00 []\n") == (
        "egress-audit: error: egress-audit.yaml:2: invalid YAML: character U+0000 is not allowed "
        "in YAML (a control character, or a byte that is not text)"
    )


def test_bytes_that_are_not_utf8_are_named_by_line(tmp_path: Path, capsys: Capsys) -> None:
    policy = tmp_path / "egress-audit.yaml"
    policy.write_bytes(b"version: 1\nclusters: []\n# caf\xe9\n")
    snapshot = _write_snapshot(tmp_path, _estate())
    assert _refused(tmp_path, capsys, "--snapshot", str(snapshot), "--policy", str(policy)) == (
        "egress-audit: error: egress-audit.yaml:3: not UTF-8 text (byte 0xe9 cannot start or "
        "continue a character)"
    )


def test_a_4301_digit_annotation_is_out_of_range(tmp_path: Path, capsys: Capsys) -> None:
    text = (
        "kind: Deployment\nmetadata:\n  name: api\n  annotations:\n"
        f'    egress-audit.io/max-idle-seconds: "{"9" * 4301}"\n'
    )
    assert _refused_manifest(tmp_path, capsys, text) == (
        "egress-audit: error: k8s.yaml:5: Deployment/default/api annotation "
        "egress-audit.io/max-idle-seconds: number out of range (at most 15 digits)"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("9" * 4301, "invalid value: Exceeds the limit (4300 digits)"),
        ("9" * 4000, "number out of range"),
        (".inf", "expected a finite number"),
        (".nan", "expected a finite number"),
    ],
)
def test_numbers_no_policy_means_are_errors(
    tmp_path: Path, capsys: Capsys, value: str, problem: str
) -> None:
    text = f"version: 1\nrules:\n  NAT009:\n    high_ratio: {value}\n"
    message = _refused_policy(tmp_path, capsys, text)
    assert message.startswith(
        f"egress-audit: error: egress-audit.yaml:4: rules.NAT009.high_ratio: {problem}"
    )
    assert len(message) < 400


@pytest.mark.parametrize(
    ("scope", "where", "problem"),
    [
        ({"subscriptions": 1.5}, "scope.subscriptions", "expected a list"),
        ({"subscriptions": "abc"}, "scope.subscriptions", "expected a list"),
        ({"subscriptions": ["abc"]}, "scope.subscriptions[0]", "expected a subscription ID"),
        ({"subscriptions": [7]}, "scope.subscriptions[0]", "expected a string"),
        ({"tenant": "yes"}, "scope.tenant", "expected a boolean"),
        ({"batchSize": -1}, "scope.batchSize", "must be at least 0"),
        ({"cloud": {"a": 1}}, "scope.cloud", "expected a string"),
        ([], "scope", "expected an object"),
    ],
)
def test_the_scope_is_validated_like_the_rows(
    tmp_path: Path, capsys: Capsys, scope: Any, where: str, problem: str
) -> None:
    document = _estate()
    document["scope"] = scope
    snapshot = _write_snapshot(tmp_path, document)
    message = _refused(tmp_path, capsys, "--snapshot", str(snapshot))
    assert message.startswith(f"egress-audit: error: snapshot.json: {where}: {problem}")


def test_unknown_scope_fields_stay_out_of_the_reports(tmp_path: Path, capsys: Capsys) -> None:
    document = _estate()
    document["scope"]["extra"] = {"deep": [1, 2]}
    snapshot = _write_snapshot(tmp_path, document)
    assert main(["--snapshot", str(snapshot), "--format", "json", "--fail-on", "never"]) == 0
    assert json.loads(capsys.readouterr().out)["scope"] == {"subscriptions": [b.SUB]}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(tmp_path: Path, capsys: Capsys, constant: str) -> None:
    text = json.dumps(_estate(), indent=1).replace('"scope": {', f'"scope": {{"x": {constant},', 1)
    snapshot = _write_snapshot(tmp_path, text)
    message = _refused(tmp_path, capsys, "--snapshot", str(snapshot))
    assert message.startswith("egress-audit: error: snapshot.json: line ")
    assert message.endswith(f"invalid JSON: {constant} is not a number JSON allows")


def test_the_tool_block_holds_strings(tmp_path: Path, capsys: Capsys) -> None:
    document = _estate()
    document["tool"] = {"name": "egress-audit", "version": [1]}
    snapshot = _write_snapshot(tmp_path, document)
    assert _refused(tmp_path, capsys, "--snapshot", str(snapshot)) == (
        "egress-audit: error: snapshot.json: tool.version: expected a string"
    )


FORMATS = ["text", "json", "sarif", "markdown", "html"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_lone_surrogate_in_a_snapshot_is_replaced_with_a_warning(
    tmp_path: Path, capsys: Capsys, fmt: str
) -> None:
    document = _estate()
    document["resources"][MANAGED_CLUSTERS][0]["name"] = "aks\ud800"
    snapshot = _write_snapshot(tmp_path, document)  # json.dumps writes it as \ud800
    assert "\\ud800" in snapshot.read_text()
    out = tmp_path / "report"
    code = main(
        ["--snapshot", str(snapshot), "--format", fmt, "-o", str(out), "--fail-on", "never"]
    )
    assert code == 0
    # SARIF names no cluster of this clean estate, but carries the warning.
    assert ("U+FFFD" if fmt == "sarif" else "aks\ufffd") in out.read_text(encoding="utf-8")
    err = capsys.readouterr().err.replace(f"{tmp_path}/", "")
    assert (
        f"warning: snapshot.json: resources.{MANAGED_CLUSTERS}[0].name: 1 string held lone "
        "UTF-16 surrogates (escapes such as \\ud800 that are not text); each was replaced by "
        "U+FFFD"
    ) in err


def test_a_surrogate_pair_is_a_character_not_a_warning(tmp_path: Path, capsys: Capsys) -> None:
    document = _estate()
    document["resources"][MANAGED_CLUSTERS][0]["name"] = "aks-\U0001f600"
    snapshot = _write_snapshot(tmp_path, document)  # written as \ud83d\ude00
    assert main(["--snapshot", str(snapshot), "--format", "json", "--fail-on", "never"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["clusters"][0]["name"] == "aks-\U0001f600"
    assert "surrogate" not in captured.err


@pytest.mark.parametrize("fmt", FORMATS)
def test_lone_surrogates_in_a_policy_and_a_manifest_are_replaced_with_warnings(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("k8s.yaml").write_text(
        'kind: Deployment\nmetadata:\n  name: "api\\udc00"\n  annotations:\n'
        '    egress-audit.io/max-idle-seconds: "600"\n'
    )
    Path("egress-audit.yaml").write_text(
        "version: 1\nclusters:\n  - match: {resource_group: '*'}\n"
        '    workloads: [{name: "poll\\ud800", max_idle_seconds: 600}]\n'
        "    manifests: [k8s.yaml]\n"
    )
    snapshot = _write_snapshot(tmp_path, _estate())
    argv = ["--snapshot", str(snapshot), "--policy", "egress-audit.yaml", "--format", fmt]
    assert main([*argv, "-o", "report", "--fail-on", "never"]) == 0
    err = capsys.readouterr().err
    assert "warning: egress-audit.yaml:4: 1 string held lone UTF-16 surrogates" in err
    assert "warning: k8s.yaml:3: 1 string held lone UTF-16 surrogates" in err
    Path("report").read_text(encoding="utf-8")  # valid UTF-8
