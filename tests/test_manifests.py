"""Workload needs from Kubernetes manifest annotations, through the policy file."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from auditor import manifests
from auditor import policy as policy_module
from auditor.cli import main
from auditor.errors import InputError
from auditor.model import SourceLocation
from auditor.workload import Workload
from tests import estate_builder as b

WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    egress-audit.io/max-idle-seconds: "600"
spec:
  template:
    metadata:
      annotations:
        egress-audit.io/peak-connections-per-node: "400"
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db-proxy
  namespace: shop
  annotations:
    egress-audit.io/max-idle-seconds: "60"
spec:
  template:
    metadata:
      annotations:
        egress-audit.io/max-idle-seconds: "900"
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  template:
    metadata:
      annotations:
        egress-audit.io/max-idle-seconds: 120
---
apiVersion: batch/v1
kind: Job
metadata:
  name: export
  namespace: jobs
spec:
  template:
    metadata:
      annotations:
        egress-audit.io/peak-connections-per-node: "50"
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: jobs
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            egress-audit.io/max-idle-seconds: "1800"
---
apiVersion: v1
kind: Service
metadata:
  name: api
  annotations:
    egress-audit.io/max-idle-seconds: "5"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: quiet
spec:
  template:
    metadata:
      labels: {app: quiet}
"""


def _at(line: int, path: str = "k8s/workloads.yaml") -> SourceLocation:
    return SourceLocation(path, line)


def test_every_workload_kind_from_a_multi_document_file() -> None:
    assert manifests.from_text(WORKLOADS, "k8s/workloads.yaml")[0] == [
        Workload("Deployment/shop/api", 600, 400, _at(7), _at(12)),
        # The pod template's annotation wins over the workload's own.
        Workload("StatefulSet/shop/db-proxy", 900, None, _at(25)),
        Workload("DaemonSet/default/agent", 120, None, _at(35)),
        Workload("Job/jobs/export", None, 50, _at(46), _at(46)),
        Workload("CronJob/jobs/nightly", 1800, None, _at(60)),
    ]


def test_list_items_are_unwrapped() -> None:
    text = textwrap.dedent(
        """\
        kind: List
        items:
          - kind: Deployment
            metadata:
              name: web
              annotations: {egress-audit.io/max-idle-seconds: "30"}
        """
    )
    assert manifests.from_text(text, "list.yaml")[0] == [
        Workload("Deployment/default/web", 30, None, SourceLocation("list.yaml", 6)),
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [('"ten minutes"', "'ten minutes'"), ("1.5", "'1.5'"), ("[1]", "a list or mapping")],
)
def test_a_non_integer_annotation_names_file_line_and_annotation(value: str, shown: str) -> None:
    text = WORKLOADS.replace('max-idle-seconds: "600"', f"max-idle-seconds: {value}")
    with pytest.raises(InputError) as caught:
        manifests.from_text(text, "k8s/workloads.yaml")[0]
    assert str(caught.value) == (
        "k8s/workloads.yaml:7: Deployment/shop/api annotation egress-audit.io/max-idle-seconds: "
        f'expected a whole number, e.g. "600", not {shown}'
    )


def test_zero_is_rejected() -> None:
    with pytest.raises(InputError, match=r"k8s/w.yaml:7: .* must be at least 1"):
        manifests.from_text(WORKLOADS.replace('"600"', '"0"'), "k8s/w.yaml")[0]


def test_invalid_yaml_names_file_and_line() -> None:
    text = "kind: Deployment\nmetadata:\n  name: [broken\n"
    with pytest.raises(InputError) as caught:
        manifests.from_text(text, "k8s/bad.yaml")[0]
    assert str(caught.value).startswith("k8s/bad.yaml:4: invalid YAML")


# -- through the policy file ------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout: manifests in deploy/k8s, the policy in ops/; commands run from the root."""
    (tmp_path / "deploy" / "k8s" / "nested").mkdir(parents=True)
    (tmp_path / "deploy" / "k8s" / "shop.yaml").write_text(WORKLOADS)
    (tmp_path / "deploy" / "k8s" / "nested" / "extra.yml").write_text(
        "kind: Job\nmetadata: {name: once}\nspec:\n  template:\n    metadata:\n"
        "      annotations: {egress-audit.io/max-idle-seconds: '30'}\n"
    )
    (tmp_path / "deploy" / "k8s" / "README.md").write_text("kind: Job\n")
    (tmp_path / "ops").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _load(repo: Path, text: str) -> policy_module.Policy:
    path = repo / "ops" / "egress-audit.yaml"
    path.write_text(text)
    return policy_module.load(path, "ops/egress-audit.yaml")


def test_folders_are_read_relative_to_the_policy_file(repo: Path) -> None:
    policy = _load(repo, "clusters:\n  - match: {id: '*'}\n    manifests: [../deploy/k8s]\n")
    workloads = policy.clusters[0].workloads
    assert [w.name for w in workloads] == [
        "Job/default/once",  # deploy/k8s/nested/extra.yml sorts before deploy/k8s/shop.yaml
        "Deployment/shop/api",
        "StatefulSet/shop/db-proxy",
        "DaemonSet/default/agent",
        "Job/jobs/export",
        "CronJob/jobs/nightly",
    ]
    # Locations are relative to the current directory, with forward slashes (for SARIF).
    assert workloads[0].location == SourceLocation("deploy/k8s/nested/extra.yml", 6)
    assert workloads[1].location == SourceLocation("deploy/k8s/shop.yaml", 7)


def test_a_workload_entry_may_list_manifests_too(repo: Path) -> None:
    policy = _load(
        repo,
        "clusters:\n  - match: {id: '*'}\n    workloads:\n"
        "      - name: shop\n        manifests: ../deploy/k8s/shop.yaml\n"
        "      - name: batch\n        max_idle_seconds: 30\n"
        "        manifests: [../deploy/k8s/nested/extra.yml]\n",
    )
    assert [(w.name, w.max_idle_seconds) for w in policy.clusters[0].workloads] == [
        ("Deployment/shop/api", 600),
        ("StatefulSet/shop/db-proxy", 900),
        ("DaemonSet/default/agent", 120),
        ("Job/jobs/export", None),
        ("CronJob/jobs/nightly", 1800),
        ("batch", 30),
        ("Job/default/once", 30),
    ]


def test_a_missing_folder_is_an_error_at_the_policy_line(repo: Path) -> None:
    with pytest.raises(InputError) as caught:
        _load(repo, "clusters:\n  - match: {id: '*'}\n    manifests:\n      - ../deploy/helm\n")
    assert str(caught.value) == (
        "ops/egress-audit.yaml:4: clusters[0].manifests[0]: no such file or folder: "
        "../deploy/helm (manifest paths are relative to the policy file's folder)"
    )


def test_a_helm_template_is_skipped_with_a_warning(repo: Path) -> None:
    chart = repo / "deploy" / "k8s" / "chart.yaml"
    chart.write_text("kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")
    policy = _load(repo, "clusters:\n  - match: {id: '*'}\n    manifests: [../deploy/k8s]\n")
    assert policy.warnings == (
        "deploy/k8s/chart.yaml: skipped: a Helm template is not rendered (render it with "
        "`helm template` and point `manifests` at the output)",
    )
    assert len(policy.clusters[0].workloads) == 6


# -- end to end: a NAT007 finding points at the manifest line ----------------------------------


def _estate() -> b.Estate:
    nodes = b.subnet_id("vnet", "nodes")
    return b.Estate().add(
        b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16", nat=b.nat_id("ng"))]),
        b.nat("ng", ips=(b.pip_id("pip"),), subnets=(nodes,)),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("sys", nodes)]),
    )


def test_nat007_points_at_the_annotation(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "snapshot.json").write_text(json.dumps(_estate().document()))
    (repo / "ops" / "egress-audit.yaml").write_text(
        "clusters:\n  - match: {id: '*/managedClusters/aks'}\n    manifests: [../deploy/k8s]\n"
    )
    code = main(
        ["--snapshot", "snapshot.json", "--policy", "ops/egress-audit.yaml", "--format", "json"]
    )
    assert code == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    (nat007,) = [f for f in findings if f["ruleId"] == "NAT007"]
    # CronJob/jobs/nightly declares the longest idle period: 1800 s at shop.yaml line 60.
    assert nat007["location"] == {"path": "deploy/k8s/shop.yaml", "line": 60}
    assert nat007["details"]["workload"] == "CronJob/jobs/nightly"


def test_invalid_manifest_through_the_cli(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "snapshot.json").write_text(json.dumps(_estate().document()))
    (repo / "deploy" / "k8s" / "broken.yaml").write_text("kind: Job\nmetadata: {name: x\n")
    (repo / "ops" / "egress-audit.yaml").write_text(
        "clusters:\n  - match: {id: '*'}\n    manifests: [../deploy/k8s]\n"
    )
    assert main(["--snapshot", "snapshot.json", "--policy", "ops/egress-audit.yaml"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("egress-audit: error: deploy/k8s/broken.yaml:3: invalid YAML")


def test_the_helm_warning_reaches_the_report_and_stderr(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "snapshot.json").write_text(json.dumps(_estate().document()))
    (repo / "deploy" / "k8s" / "chart.yaml").write_text("metadata: {name: '{{ .Values.n }}'}\n")
    (repo / "ops" / "egress-audit.yaml").write_text(
        "clusters:\n  - match: {id: '*'}\n    manifests: [../deploy/k8s]\n"
    )
    args = ["--snapshot", "snapshot.json", "--policy", "ops/egress-audit.yaml", "--format", "json"]
    main(args)
    captured = capsys.readouterr()
    warning = (
        "deploy/k8s/chart.yaml: skipped: a Helm template is not rendered (render it with "
        "`helm template` and point `manifests` at the output)"
    )
    assert json.loads(captured.out)["warnings"] == [warning]
    assert captured.err == f"egress-audit: warning: {warning}\n"


GATEWAYS = """\
apiVersion: egressgateway.kubernetes.azure.com/v1alpha1
kind: StaticGatewayConfiguration
metadata:
  name: partner-egress
  namespace: payments
spec:
  gatewayNodepoolName: egressgw
  excludeCidrs: [10.0.0.0/8, 172.16.0.0/12, 169.254.169.254/32]
  publicIpPrefixId: /subscriptions/s/resourceGroups/g/providers/Microsoft.Network/publicIPPrefixes/p
---
apiVersion: egressgateway.kubernetes.azure.com/v1alpha1
kind: StaticGatewayConfiguration
metadata: {name: auto}
spec: {gatewayNodepoolName: egressgw}
---
apiVersion: egressgateway.kubernetes.azure.com/v1alpha1
kind: StaticGatewayConfiguration
metadata: {name: private, namespace: vault}
spec: {gatewayNodepoolName: egressgw, provisionPublicIps: false}
---
apiVersion: egressgateway.kubernetes.azure.com/v1alpha1
kind: StaticGatewayConfiguration
metadata: {name: self-managed}
spec: {gatewayVmssProfile: {vmssResourceGroup: rg, vmssName: gw, publicIpPrefixSize: 31}}
"""


def test_static_gateway_configurations_are_read_as_the_aks_docs_write_them() -> None:
    found = manifests.from_text(GATEWAYS, "k8s/gateways.yaml")[1]
    assert [(g.namespace, g.name, g.pool, g.prefix_id, g.public) for g in found] == [
        (
            "payments",
            "partner-egress",
            "egressgw",
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/publicIPPrefixes/p",
            True,
        ),
        ("default", "auto", "egressgw", None, True),
        ("vault", "private", "egressgw", None, False),
    ]  # a self-managed gateway scale set is no AKS gateway pool's
    assert (found[0].location.path, found[0].location.line) == ("k8s/gateways.yaml", 1)
    assert manifests.from_text(GATEWAYS, "k8s/gateways.yaml")[0] == []
