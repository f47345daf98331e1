"""Bad snapshots and policies: exit code 2 and one line naming the file and the place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from tests import estate_builder as b


def _estate() -> b.Estate:
    nat = b.nat_id("ng")
    nodes = b.subnet_id("vnet", "nodes")
    return b.Estate().add(
        b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16", nat=nat)]),
        b.nat("ng", ips=(b.pip_id("pip"),), subnets=(nodes,)),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("sys", nodes)]),
    )


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, *extra: str) -> str:
    path = tmp_path / "snapshot.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    code = main(["--snapshot", str(path), "--format", "json", *extra])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0].replace(str(tmp_path) + "/", "")


def test_truncated_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = json.dumps(_estate().document())[:500]
    message = _run(tmp_path, capsys, text)
    assert message.startswith("egress-audit: error: snapshot.json: line 1 column ")
    assert "invalid JSON" in message


def test_unknown_format_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _estate().document()
    document["version"] = 2
    assert _run(tmp_path, capsys, document) == (
        "egress-audit: error: snapshot.json: version: unsupported snapshot version 2 "
        "(this egress-audit reads version 1)"
    )


def test_not_a_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "format: not an egress-audit snapshot" in _run(tmp_path, capsys, {"data": []})


def test_missing_resources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _estate().document()
    del document["resources"]
    assert _run(tmp_path, capsys, document) == (
        "egress-audit: error: snapshot.json: resources: missing"
    )


def test_row_without_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _estate().document()
    del document["resources"]["microsoft.network/natgateways"][0]["id"]
    assert _run(tmp_path, capsys, document) == (
        "egress-audit: error: snapshot.json: resources.microsoft.network/natgateways[0].id: missing"
    )


@pytest.mark.parametrize(
    ("mutate", "where", "problem"),
    [
        (
            lambda d: d["resources"]["microsoft.network/natgateways"][0]["properties"].__setitem__(
                "subnets", {"id": "x"}
            ),
            "resources.microsoft.network/natgateways[0].properties.subnets",
            "expected a list",
        ),
        (
            lambda d: d["resources"]["microsoft.network/natgateways"][0]["properties"].__setitem__(
                "idleTimeoutInMinutes", "4"
            ),
            "resources.microsoft.network/natgateways[0].properties.idleTimeoutInMinutes",
            "expected an integer",
        ),
        (
            lambda d: d["resources"]["microsoft.containerservice/managedclusters"][0]["properties"][
                "agentPoolProfiles"
            ][0].__setitem__("enableNodePublicIP", "yes"),
            "resources.microsoft.containerservice/managedclusters[0].properties"
            ".agentPoolProfiles[0].enableNodePublicIP",
            "expected a boolean",
        ),
        (
            lambda d: d["resources"]["microsoft.network/virtualnetworks"][0]["properties"][
                "subnets"
            ][0]["properties"].__setitem__("natGateway", "ng"),
            "resources.microsoft.network/virtualnetworks[0].properties.subnets[0]"
            ".properties.natGateway",
            "expected an object",
        ),
        (
            lambda d: d["resources"].__setitem__("microsoft.network/routetables", {}),
            "resources.microsoft.network/routetables",
            "expected a list",
        ),
        (
            lambda d: d.__setitem__("collectedAt", "yesterday"),
            "collectedAt",
            "expected an ISO 8601 timestamp",
        ),
    ],
)
def test_wrong_types_name_the_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: Any, where: str, problem: str
) -> None:
    document = _estate().document()
    mutate(document)
    assert _run(tmp_path, capsys, document) == (
        f"egress-audit: error: snapshot.json: {where}: {problem}"
    )


def test_missing_snapshot_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--snapshot", str(tmp_path / "nope.json")])
    assert code == 2
    assert capsys.readouterr().err.strip().endswith("nope.json: no such file")


POLICY_ERRORS = [
    ("clusters: [", "egress-audit.yaml:1: invalid YAML"),
    (
        "clusters:\n  - match: {id: '*'}\n    workloads:\n"
        "      - name: a\n        max_idle_seconds: soon\n",
        "egress-audit.yaml:5: clusters[0].workloads[0].max_idle_seconds: expected an integer",
    ),
    (
        "clusters:\n  - match: {id: '*'}\n    wrkloads: []\n",
        "egress-audit.yaml:3: clusters[0].wrkloads: unknown key 'wrkloads'",
    ),
    ("clusters:\n  - workloads: []\n", "egress-audit.yaml:2: clusters[0]: missing key 'match'"),
    ("version: 7\n", "egress-audit.yaml:1: version: unsupported policy version"),
    ("clusters: {}\n", "egress-audit.yaml:1: clusters: expected a list"),
    (
        "clusters:\n  - match: {id: '*'}\n    allowed_egress: [not-an-ip]\n",
        "egress-audit.yaml:3: clusters[0].allowed_egress[0]: 'not-an-ip' is not an IP",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POLICY_ERRORS)
def test_bad_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    (tmp_path / "egress-audit.yaml").write_text(text)
    policy = str(tmp_path / "egress-audit.yaml")
    message = _run(tmp_path, capsys, _estate().document(), "--policy", policy)
    assert message.startswith(f"egress-audit: error: {expected}"), message


def test_bad_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "pdf", "--demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("egress-audit: error: argument --format/-f: invalid choice")
    assert len(err.strip().splitlines()) == 1


def test_failed_write_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(_estate().document()))
    target = tmp_path / "missing-dir" / "report.json"
    assert main(["--snapshot", str(path), "--output", str(target)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not target.exists()


def test_live_scope_flags_with_a_snapshot_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(_estate().document()))
    code = main(["--snapshot", str(path), "--subscription", b.SUB, "--batch-size", "10"])
    assert code == 2
    assert capsys.readouterr().err == (
        "egress-audit: error: --subscription, --batch-size only apply when collecting live; "
        "drop them to audit --snapshot or --demo\n"
    )


def test_snapshot_command_needs_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", "--subscription", b.SUB]) == 2
    assert "the following arguments are required: --output" in capsys.readouterr().err


def test_a_pool_subnet_reference_to_another_kind_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _estate().document()
    cluster = document["resources"]["microsoft.containerservice/managedclusters"][0]
    cluster["properties"]["agentPoolProfiles"][0]["vnetSubnetID"] = b.vnet_id("vnet")
    assert _run(tmp_path, capsys, document) == (
        f"egress-audit: error: snapshot.json: {b.pool_id('aks', 'sys')} vnetSubnetID: refers "
        f"to {b.vnet_id('vnet')}, a virtual network, not a subnet"
    )


def test_a_resource_twice_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _estate().document()
    nats = document["resources"]["microsoft.network/natgateways"]
    twin = json.loads(json.dumps(nats[0]))
    twin["id"] = twin["id"].upper()
    nats.append(twin)
    assert _run(tmp_path, capsys, document) == (
        f"egress-audit: error: snapshot.json: {twin['id']}: appears twice "
        "(IDs compare case-insensitively)"
    )


def test_an_id_that_is_not_an_arm_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _estate().document()
    document["resources"]["microsoft.network/natgateways"][0]["id"] = "garbage"
    assert _run(tmp_path, capsys, document) == (
        "egress-audit: error: snapshot.json: resources.microsoft.network/natgateways[0].id: "
        "'garbage' is not an Azure resource ID"
    )


def test_an_integer_past_pythons_digit_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(_estate().document()).replace('"version": 1', '"version": ' + "9" * 5000)
    assert _run(tmp_path, capsys, text) == (
        "egress-audit: error: snapshot.json: line 1 column 48: invalid JSON: a number of more "
        "than 4,300 digits"
    )


def test_a_byte_order_mark_is_not_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_estate().document()).encode())
    assert main(["--snapshot", str(path), "--format", "json", "--fail-on", "never"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["clusters"] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "suppressions:\n  - rule: NET001\n    resource: '*'\n    justification: j\n"
            "    expires: 2027-02-30\n",
            "egress-audit.yaml:5: suppressions[0].expires: invalid value: day is out of range",
        ),
        (
            "version: !!python/name:os.system x\n",
            "egress-audit.yaml:1: version: invalid value: could not determine a constructor",
        ),
    ],
)
def test_yaml_values_yaml_cannot_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    (tmp_path / "egress-audit.yaml").write_text(text)
    policy = str(tmp_path / "egress-audit.yaml")
    message = _run(tmp_path, capsys, _estate().document(), "--policy", policy)
    assert message.startswith(f"egress-audit: error: {expected}"), message
