"""The scheduled workflow, the Dockerfile and the Kubernetes CronJob: linted by their own tools
(actionlint, hadolint, kubernetes-validate, from the `dev` extra) and checked for the settings
that make them safe (OIDC without a secret, non-root, read-only root, one run at a time)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "github" / "egress-audit.yml"
DOCKERFILE = ROOT / "Dockerfile"
KUBERNETES = sorted((ROOT / "examples" / "kubernetes").glob("*.yaml"))
KUBERNETES_VERSION = "1.33"  # the oldest AKS minor version the example targets


def _tool(name: str) -> str:
    """The linter installed beside this Python (the `dev` extra), else on PATH. Missing is a
    failure in CI and a skip elsewhere."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def _lint(*command: str) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_actionlint_workflow() -> None:
    _lint(_tool("actionlint"), "-no-color", str(WORKFLOW))


def test_hadolint_dockerfile() -> None:
    _lint(_tool("hadolint"), "--no-color", str(DOCKERFILE))


def test_kubernetes_validate_manifests() -> None:
    assert [p.name for p in KUBERNETES] == [
        "configmap.yaml",
        "cronjob.yaml",
        "namespace.yaml",
        "persistentvolumeclaim.yaml",
        "serviceaccount.yaml",
    ]
    _lint(
        _tool("kubernetes-validate"),
        "--strict",
        "--kubernetes-version",
        KUBERNETES_VERSION,
        "--quiet",
        *map(str, KUBERNETES),
    )


def _workflow() -> dict[str, Any]:
    document: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


def test_workflow_runs_on_a_schedule_with_least_privilege() -> None:
    workflow = _workflow()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "17 5 * * *"}]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "actions": "read",
        "id-token": "write",
    }
    # Each permission is explained on its line.
    text = WORKFLOW.read_text(encoding="utf-8")
    for name in workflow["permissions"]:
        (line,) = [line for line in text.splitlines() if line.strip().startswith(f"{name}:")]
        assert " # " in line, line


def test_every_action_is_pinned_to_a_commit_sha_with_its_tag() -> None:
    uses = [
        line.strip()
        for line in WORKFLOW.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*(- )?uses:", line)
    ]
    assert len(uses) == 9
    for line in uses:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*", line), line
    pinned = {line.split("@")[0].split()[-1] for line in uses}
    assert pinned == {
        "actions/checkout", "actions/setup-python", "actions/cache/restore", "azure/login",
        "actions/cache/save", "github/codeql-action/upload-sarif", "actions/upload-artifact",
    }  # fmt: skip
    steps = _workflow()["jobs"]["audit"]["steps"]
    assert all("@" in s["uses"] for s in steps if "uses" in s)


def test_the_install_source_must_be_pinned_to_a_commit() -> None:
    install = next(s for s in _workflow()["jobs"]["audit"]["steps"] if s.get("name") ==
                   "Install egress-audit")  # fmt: skip
    for source, code in [
        ("git+https://github.com/contoso/egress-audit@v0.1.0", 2),
        ("git+https://github.com/contoso/egress-audit@main", 2),
        ("egress-audit==0.1.0", 2),
        ("", 2),
    ]:
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install["run"]],
            env={"PATH": "/usr/bin:/bin", "EGRESS_AUDIT_SOURCE": source,
                 "RUNNER_TEMP": "/nonexistent"},
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert done.returncode == code, (source, done.stdout, done.stderr)
        assert "::error::" in done.stdout


def test_the_baseline_is_restored_and_saved_at_the_path_the_audit_uses() -> None:
    workflow = _workflow()
    steps = workflow["jobs"]["audit"]["steps"]
    restore = next(s for s in steps if "cache/restore@" in s.get("uses", ""))
    save = next(s for s in steps if "cache/save@" in s.get("uses", ""))
    baseline = workflow["env"]["BASELINE"]
    assert restore["with"]["path"] == save["with"]["path"] == baseline
    assert (
        restore["with"]["key"]
        == save["with"]["key"]
        == ("egress-audit-baseline-${{ github.run_id }}")
    )
    assert restore["with"]["restore-keys"] == "egress-audit-baseline-"
    assert save["if"] == f"always() && hashFiles('{baseline}') != ''"
    names = [s.get("name") for s in steps]
    assert (
        names.index("Restore the baseline")
        < names.index("Audit")
        < names.index("Save the baseline")
    )
    audit = next(s for s in steps if s.get("id") == "audit")
    assert '--baseline "$BASELINE"' in audit["run"]


def test_workflow_logs_in_with_oidc_only() -> None:
    steps = _workflow()["jobs"]["audit"]["steps"]
    (login,) = [s for s in steps if s.get("uses", "").startswith("azure/login@")]
    assert login["uses"] == "azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5"
    assert login["with"] == {
        "client-id": "${{ secrets.AZURE_CLIENT_ID }}",
        "tenant-id": "${{ secrets.AZURE_TENANT_ID }}",
        "subscription-id": "${{ secrets.AZURE_SUBSCRIPTION_ID }}",
    }
    assert "client-secret" not in WORKFLOW.read_text(encoding="utf-8")
    assert "creds:" not in WORKFLOW.read_text(encoding="utf-8")


def test_workflow_uploads_every_sarif_file_even_after_a_failure() -> None:
    steps = _workflow()["jobs"]["audit"]["steps"]
    uploads = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert [s["with"]["sarif_file"] for s in uploads] == [
        f"reports/sarif/egress-audit-{n}.sarif" for n in (1, 2, 3)
    ]
    for step in uploads:
        assert step["uses"].startswith("github/codeql-action/upload-sarif@")
        # always(): upload after exit 1/4; hashFiles: exit 2/3 wrote nothing to upload.
        assert step["if"] == f"always() && hashFiles('{step['with']['sarif_file']}') != ''"
    (guard,) = [s for s in steps if s.get("name") == "Every SARIF file was uploaded"]
    assert guard["if"] == "always() && hashFiles('reports/sarif/egress-audit-4.sarif') != ''"
    audit = next(s for s in steps if s.get("id") == "audit")
    assert 'cat reports/egress-audit.md >> "$GITHUB_STEP_SUMMARY"' in audit["run"]
    assert "egress-audit job --auth cli" in audit["run"]


def test_dockerfile_is_multi_stage_and_non_root() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    froms = [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")]
    assert froms == ["python:3.12-slim-bookworm", "python:3.12-slim-bookworm"]
    assert "FROM python:3.12-slim-bookworm AS build" in text
    assert "COPY --from=build /dist/ /tmp/dist/" in text
    assert "USER 10001:10001" in text
    assert 'ENTRYPOINT ["egress-audit"]' in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[1] == "*"  # an allowlist: nothing but the sources reaches the build
    assert "!auditor/" in ignored


def _manifests() -> dict[str, dict[str, Any]]:
    return {
        doc["kind"]: doc
        for path in KUBERNETES
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
    }


def test_cronjob_uses_workload_identity_and_runs_one_at_a_time() -> None:
    manifests = _manifests()
    cronjob = manifests["CronJob"]["spec"]
    assert cronjob["concurrencyPolicy"] == "Forbid"
    pod = cronjob["jobTemplate"]["spec"]["template"]
    assert pod["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    assert pod["spec"]["serviceAccountName"] == "egress-audit"
    account = manifests["ServiceAccount"]
    assert account["metadata"]["name"] == "egress-audit"
    assert "azure.workload.identity/client-id" in account["metadata"]["annotations"]
    (container,) = pod["spec"]["containers"]
    assert container["command"] == ["egress-audit"]
    args = container["args"]
    assert args[:3] == ["job", "--auth", "workload-identity"]
    assert args[args.index("--baseline") + 1] == "/reports/baseline.json"
    assert args[args.index("--keep") + 1] == "30"
    (webhook,) = [e for e in container["env"] if e["name"] == "EGRESS_AUDIT_WEBHOOK_URL"]
    assert webhook["valueFrom"]["secretKeyRef"]["optional"] is True
    assert container["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    assert container["resources"]["limits"]["memory"] == "2Gi"


def test_cronjob_is_non_root_with_a_read_only_root_and_keeps_reports() -> None:
    pod = _manifests()["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    (container,) = pod["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"reports": "/reports", "policy": "/etc/egress-audit", "tmp": "/tmp"}  # noqa: S108
    volumes = {v["name"]: v for v in pod["volumes"]}
    claim = volumes["reports"]["persistentVolumeClaim"]["claimName"]
    assert claim == _manifests()["PersistentVolumeClaim"]["metadata"]["name"]


def test_policy_in_the_configmap_is_valid() -> None:
    from auditor import policy

    configmap = _manifests()["ConfigMap"]
    parsed = policy.parse(configmap["data"]["egress-audit.yaml"], "configmap.yaml")
    (entry,) = parsed.clusters
    assert entry.selector.resource_group_glob == "rg-payments-*"
    assert [str(n) for n in entry.allowed_egress or ()] == ["20.61.16.0/28"]


def test_the_license_file_is_the_one_the_image_label_names() -> None:
    label = re.search(r'org\.opencontainers\.image\.licenses="([^"]+)"', DOCKERFILE.read_text())
    assert label is not None
    assert label.group(1) == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert "!LICENSE" in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
