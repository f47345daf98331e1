"""The policy file: every error names file, line and key; unknown rules and keys are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor import policy as policy_module
from auditor.errors import InputError
from auditor.model import SourceLocation, Suppression
from rules.registry import BUILTIN
from tests import estate_builder as b

CONFIGS = {rule.meta.id: rule.config for rule in BUILTIN}


def _check(text: str) -> None:
    policy_module.parse(text, "egress-audit.yaml").check_rules(CONFIGS)


def _error(text: str, *, check: bool = False) -> str:
    with pytest.raises(InputError) as caught:
        (_check if check else _parse)(text)
    return str(caught.value)


def _parse(text: str) -> None:
    policy_module.parse(text, "egress-audit.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules:\n  NET001: {enabled: false}\n  NETT002:\n    enabled: false\n",
            "egress-audit.yaml:3: rules.NETT002: unknown rule 'NETT002' (did you mean NET002?)",
        ),
        (
            "rules:\n  XYZ999: {}\n",
            "egress-audit.yaml:2: rules.XYZ999: unknown rule 'XYZ999'",
        ),
        (
            "clusters:\n  - match: {id: '*'}\n    rules:\n      LB02: {ports_per_ip: 1}\n",
            "egress-audit.yaml:4: clusters[0].rules.LB02: unknown rule 'LB02' "
            "(did you mean LB002?)",
        ),
        (
            "suppressions:\n  - rule: nat07\n    resource: '*'\n    justification: x\n"
            "    expires: 2027-01-01\n",
            "egress-audit.yaml:2: suppressions[0].rule: unknown rule 'NAT07' "
            "(did you mean NAT007?)",
        ),
        (
            "rules:\n  LB002:\n    ports_per_ip: 64000\n    surge: 2\n",
            "egress-audit.yaml:4: rules.LB002.surge: unknown parameter 'surge' "
            "(parameters: default_surge_nodes, ports_per_ip)",
        ),
        (
            "rules:\n  LB002: {default_surge_nodes: '2'}\n",
            "egress-audit.yaml:2: rules.LB002.default_surge_nodes: expected an integer",
        ),
    ],
)
def test_unknown_rules_and_parameters(text: str, expected: str) -> None:
    assert _error(text, check=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clusterz: []\n", "egress-audit.yaml:1: clusterz: unknown key 'clusterz'"),
        (
            "clusters:\n  - match: {id: '*', name: aks}\n",
            "egress-audit.yaml:2: clusters[0].match.name: unknown key 'name'",
        ),
        (
            "clusters:\n  - match: {id: '*'}\n    workloads:\n      - name: a\n"
            "        idle_seconds: 30\n",
            "egress-audit.yaml:5: clusters[0].workloads[0].idle_seconds: unknown key",
        ),
        (
            "suppressions:\n  - rule: NAT007\n    resource: '*'\n    justification: x\n"
            "    expires: 2027-01-01\n    owner: me\n",
            "egress-audit.yaml:6: suppressions[0].owner: unknown key 'owner'",
        ),
        (
            "clusters:\n  - match: {id: '*'}\n    allowed_outbound_types: loadBalancer\n",
            "egress-audit.yaml:3: clusters[0].allowed_outbound_types: expected a list",
        ),
        (
            "clusters:\n  - match: {id: '*'}\n    workloads:\n      - name: a\n"
            "        peak_connections_per_node: 0\n",
            "egress-audit.yaml:5: clusters[0].workloads[0].peak_connections_per_node: "
            "must be at least 1",
        ),
        (
            "rules:\n  NET001: {enabled: 'no'}\n",
            "egress-audit.yaml:2: rules.NET001.enabled: expected true or false",
        ),
        (
            "clusters:\n  - match: {id: '*'}\n    rules:\n      NET001: {enabled: false}\n",
            "egress-audit.yaml:4: clusters[0].rules.NET001.enabled: rules are enabled or "
            "disabled globally",
        ),
        ("suppressions: {}\n", "egress-audit.yaml:1: suppressions: expected a list"),
        (
            "suppressions:\n  - rule: NAT007\n    resource: '*'\n    expires: 2027-01-01\n",
            "egress-audit.yaml:2: suppressions[0]: missing key 'justification' "
            "(say why the finding is accepted)",
        ),
        (
            "suppressions:\n  - rule: NAT007\n    resource: '*'\n    justification: '  '\n"
            "    expires: 2027-01-01\n",
            "egress-audit.yaml:4: suppressions[0].justification: expected a non-empty string",
        ),
        (
            "suppressions:\n  - rule: NAT007\n    resource: '*'\n    justification: x\n",
            "egress-audit.yaml:2: suppressions[0]: missing key 'expires'",
        ),
        (
            "suppressions:\n  - rule: NAT007\n    resource: '*'\n    justification: x\n"
            "    expires: next spring\n",
            "egress-audit.yaml:5: suppressions[0].expires: expected a date (YYYY-MM-DD)",
        ),
        (
            "suppressions:\n  - rule: [NAT007]\n    resource: '*'\n    justification: x\n"
            "    expires: 2027-01-01\n",
            "egress-audit.yaml:2: suppressions[0].rule: expected a single value",
        ),
        (
            "clusters:\n  - match: {id: '*'}\n    manifests: {path: k8s}\n",
            "egress-audit.yaml:3: clusters[0].manifests: expected a list",
        ),
    ],
)
def test_wrong_keys_and_types_name_file_line_and_key(text: str, expected: str) -> None:
    assert _error(text).startswith(expected)


def test_disabled_rules_keep_their_location() -> None:
    policy = policy_module.parse("rules:\n  net001:\n    enabled: false\n", "p.yaml")
    assert policy.disabled_rules == {"NET001"}
    (mention,) = policy.rule_mentions
    assert (mention.rule_id, mention.where, mention.location) == (
        "NET001",
        "rules.net001",
        SourceLocation("p.yaml", 2),
    )


def test_suppressions_are_read() -> None:
    policy = policy_module.parse(
        "suppressions:\n"
        "  - rule: nat007\n"
        "    resource: '/subscriptions/*/managedClusters/aks-*'\n"
        "    justification: ' keepalive rollout '\n"
        "    expires: 2027-03-31\n",
        "p.yaml",
    )
    assert policy.suppressions == (
        Suppression(
            rule_id="NAT007",
            resource_glob="/subscriptions/*/managedClusters/aks-*",
            justification="keepalive rollout",
            expires="2027-03-31",
            location=SourceLocation("p.yaml", 2),
        ),
    )


def test_an_unknown_outbound_type_is_warned() -> None:
    policy = policy_module.parse(
        "clusters:\n  - match: {id: '*'}\n    allowed_outbound_types: [natGateway, none]\n",
        "p.yaml",
    )
    assert policy.clusters[0].allowed_outbound_types == ("natGateway", "none")
    assert policy.warnings == (
        "p.yaml:3: clusters[0].allowed_outbound_types[0]: 'natGateway' is not an outbound type "
        "AKS documents (loadBalancer, userDefinedRouting, managedNATGateway, "
        "userAssignedNATGateway, none, managedNATGatewayV2, block); no cluster will match it",
    )


def test_the_documented_example_is_a_valid_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "policy.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    for folder in ("deploy/k8s", "deploy/batch", "ops"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "ops" / "egress-audit.yaml").write_text(example)
    monkeypatch.chdir(tmp_path)
    policy = policy_module.load(Path("ops/egress-audit.yaml"))
    policy.check_rules(CONFIGS)
    assert [entry.allowed_outbound_types for entry in policy.clusters] == [
        ("userAssignedNATGateway",),
        ("loadBalancer", "managedNATGateway"),
    ]
    assert [w.name for w in policy.clusters[0].workloads] == ["payment-provider-longpoll"]
    assert policy.disabled_rules == {"NET002"}
    assert [(s.rule_id, s.expires) for s in policy.suppressions] == [("NET001", "2027-03-31")]
    assert policy.warnings == ()


def test_a_cluster_override_error_names_its_cluster_key() -> None:
    text = "clusters:\n  - match: {id: '*'}\n    rules:\n      LB002:\n        ports_per_ip: x\n"
    assert _error(text, check=True) == (
        "egress-audit.yaml:5: clusters[0].rules.LB002.ports_per_ip: expected an integer"
    )


def test_tag_values_are_matched_as_written() -> None:
    from auditor import policy as policy_module

    loaded = policy_module.parse(
        "clusters:\n  - match: {tags: {prod: true, wave: 01}}\n", "egress-audit.yaml"
    )
    assert dict(loaded.clusters[0].selector.tags) == {"prod": "true", "wave": "01"}


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ("LB002: {ports_per_ip: 0}", "rules.LB002.ports_per_ip: must be greater than 0"),
        ("NAT009: {high_ratio: 1.5}", "rules.NAT009.high_ratio: must be a ratio above 0 and"),
        ("NAT009: {default_max_surge: lots}", "rules.NAT009.default_max_surge: must be a whole"),
        ("LB002: {default_surge_nodes: -1}", "rules.LB002.default_surge_nodes: must not be"),
    ],
)
def test_rule_parameters_outside_their_range_are_errors(override: str, problem: str) -> None:
    from auditor import policy as policy_module
    from auditor.errors import InputError

    loaded = policy_module.parse(f"rules:\n  {override}\n", "egress-audit.yaml")
    with pytest.raises(InputError) as raised:
        loaded.check_rules(CONFIGS)
    assert str(raised.value).startswith(f"egress-audit.yaml:2: {problem}")


def test_a_policy_inside_the_working_directory_is_named_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from auditor.cli import main

    folder = tmp_path / "ops"
    folder.mkdir()
    policy = folder / "egress-audit.yaml"
    policy.write_text(
        "clusters:\n  - match: {id: '*/aks-payments-prod'}\n    workloads:\n"
        "      - name: longpoll\n        max_idle_seconds: 600\n"
    )
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "report.json"
    main(["--demo", "--policy", str(policy), "--format", "json", "--output", str(report)])
    locations = {
        (f["location"]["path"], f["location"]["line"])
        for f in json.loads(report.read_text())["findings"]
        if f["ruleId"] == "NAT007"
    }
    assert locations == {("ops/egress-audit.yaml", 5)}


_GATEWAY = (
    "apiVersion: egressgateway.kubernetes.azure.com/v1alpha1\n"
    "kind: StaticGatewayConfiguration\n"
    "metadata: {name: partner, namespace: sync}\n"
    "spec: {gatewayNodepoolName: gw}\n"
)


def _gateway_configs(tmp_path: Path, clusters: str) -> list[tuple[str, str, str]]:
    (tmp_path / "gateway.yaml").write_text(_GATEWAY)
    (tmp_path / "egress-audit.yaml").write_text("clusters:\n" + clusters)
    policy = policy_module.load(tmp_path / "egress-audit.yaml")
    (cluster,) = b.Estate().add(b.cluster("aks", [b.pool("sys")])).graph().clusters()
    return [(c.namespace, c.name, c.pool) for c in policy.gateway_configs(cluster)]


def test_a_gateway_configuration_in_a_workloads_manifests_is_read(tmp_path: Path) -> None:
    clusters = (
        "  - match: {id: '*/managedClusters/aks'}\n"
        "    workloads:\n"
        "      - name: partner-sync\n"
        "        manifests: [gateway.yaml]\n"
    )
    assert _gateway_configs(tmp_path, clusters) == [("sync", "partner", "gw")]


def test_a_manifest_two_matching_entries_list_is_one_configuration(tmp_path: Path) -> None:
    clusters = (
        "  - match: {id: '*/managedClusters/aks'}\n"
        "    manifests: [gateway.yaml]\n"
        "  - match: {resource_group: rg-test}\n"
        "    manifests: [gateway.yaml]\n"
    )
    assert _gateway_configs(tmp_path, clusters) == [("sync", "partner", "gw")]
