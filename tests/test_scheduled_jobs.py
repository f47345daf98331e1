"""The shipped scheduled jobs, executed as shipped: the workflow's install, audit and result
steps (their `run:` scripts, taken from the YAML) and the CronJob's container command (taken
from the manifest), against the loopback fake of Resource Graph serving the demo estate.

What differs from production, and only that: Azure is the fake on 127.0.0.1 (its URL joins the
scope flags, as `--arm-endpoint` would for another cloud); the Azure CLI is a stand-in `az` that
prints a token (the workflow signs in with `--auth cli` after azure/login; the CronJob's
`--auth workload-identity` is swapped for it, the one credential a test can stand in for);
`uses:` steps are played by the test (the cache keeps the baseline between the two workflow
runs; checkout copies the policy file), and the CronJob's mounts are folders under tmp_path.
Every run changes one row of the estate, so the second run must report drift from the first.

The install step runs once per session into a clean virtual environment, from a copy of the
sources (as the Dockerfile copies them); pip resolves the dependencies through the machine's
package index configuration and its wheel cache.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml

from tests.collect.e2e.loopback import FakeResourceGraph, only_queries_were_sent, write_az
from tests.collect.fakes import ResourceGraphEstate
from tests.reports.sarif_checks import check_upload
from tests.test_job import Receiver

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "github" / "egress-audit.yml"
KUBERNETES = ROOT / "examples" / "kubernetes"
PUBLIC_IPS = "microsoft.network/publicipaddresses"
CHECKOUT_IP = "pip-checkout-egress"
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "auditor", "rules", "reports")

pytestmark = pytest.mark.installs


def _demo_rows(checkout_ip: str) -> list[dict[str, Any]]:
    text = resources.files("auditor.demo").joinpath("estate.json").read_text(encoding="utf-8")
    document = json.loads(text)
    rows = [copy.deepcopy(r) for table in document["resources"].values() for r in table]
    (row,) = [r for r in rows if r["type"] == PUBLIC_IPS and r["name"] == CHECKOUT_IP]
    row["properties"]["ipAddress"] = checkout_ip
    return rows


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A `run:` step as GitHub runs it on Linux (`bash --noprofile --norc -eo pipefail`)."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


def _base_env(tmp: Path, ca: trustme.CA) -> dict[str, str]:
    """A process environment from nothing: no credential or proxy variable can leak in."""
    bundle = tmp / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    home = tmp / "home"
    (home / ".azure").mkdir(parents=True, exist_ok=True)
    stand_in = tmp / "az-bin"
    stand_in.mkdir(exist_ok=True)
    write_az(stand_in, tmp / "az-calls.txt")
    return {
        "PATH": f"{stand_in}:/usr/bin:/bin",
        "HOME": str(home),
        "AZURE_CONFIG_DIR": str(home / ".azure"),
        "REQUESTS_CA_BUNDLE": str(bundle),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "LANG": "C.UTF-8",
    }


# -- the fakes ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def estate() -> ResourceGraphEstate:
    estate = ResourceGraphEstate()
    estate.add(_demo_rows("20.61.20.17"))
    return estate


@pytest.fixture
def azure(ca: trustme.CA, estate: ResourceGraphEstate) -> Iterator[FakeResourceGraph]:
    server = FakeResourceGraph(estate)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _change_checkout_ip(estate: ResourceGraphEstate, address: str) -> None:
    (row,) = [r for r in estate.resources if r["type"] == PUBLIC_IPS and r["name"] == CHECKOUT_IP]
    row["properties"]["ipAddress"] = address


# -- the workflow -------------------------------------------------------------------------------


def _workflow() -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


def _step(name: str) -> dict[str, Any]:
    (step,) = [s for s in _workflow()["jobs"]["audit"]["steps"] if s.get("name") == name]
    return step


def _workflow_env(overrides: dict[str, str]) -> dict[str, str]:
    """The workflow's `env:`; every value that is an expression must be given by the test."""
    env = {}
    for name, value in _workflow()["env"].items():
        if "${{" in str(value):
            assert name in overrides, f"{name} is an expression: the test must give it"
        env[name] = overrides.get(name, str(value))
    return env


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflow's install step, once: a clean venv with egress-audit from the sources."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "egress-audit"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            skip = shutil.ignore_patterns("__pycache__")
            shutil.copytree(ROOT / name, source / name, ignore=skip)
        else:
            shutil.copy2(ROOT / name, source / name)
    setup_python = tmp / "setup-python"  # what actions/setup-python puts first on PATH
    setup_python.mkdir()
    (setup_python / "python").symlink_to(getattr(sys, "_base_executable", sys.executable))
    github_path = tmp / "github-path"
    github_path.touch()
    env = {
        "PATH": f"{setup_python}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(tmp)),  # pip's wheel cache is reused
        "LANG": "C.UTF-8",
        "RUNNER_TEMP": str(tmp / "runner-temp"),
        "GITHUB_PATH": str(github_path),
        **_workflow_env({"EGRESS_AUDIT_SOURCE": str(source)}),
    }
    (tmp / "runner-temp").mkdir()
    done = _bash(_step("Install egress-audit")["run"], env, tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    (bin_dir,) = github_path.read_text(encoding="utf-8").split()
    assert (Path(bin_dir) / "egress-audit").exists()
    return Path(bin_dir)


class Runner:
    """One hosted runner after another: each run starts from a fresh workspace; only the
    Actions cache (the baseline) survives between runs."""

    def __init__(self, tmp: Path, bin_dir: Path, azure: FakeResourceGraph, ca: trustme.CA):
        self.tmp = tmp
        self.bin_dir = bin_dir
        self.azure = azure
        self.ca = ca
        self.cache = tmp / "actions-cache"
        self.cache.mkdir()
        self.runs = 0

    def run(self) -> tuple[dict[str, str], Path, subprocess.CompletedProcess[str], int]:
        self.runs += 1
        workspace = self.tmp / f"run{self.runs}" / "workspace"
        workspace.mkdir(parents=True)
        env = {
            **_base_env(self.tmp, self.ca),
            **_workflow_env({"EGRESS_AUDIT_SOURCE": "unused after install"}),
        }
        env["PATH"] = f"{self.bin_dir}:{env['PATH']}"
        env["EGRESS_AUDIT_SCOPE"] += f" --arm-endpoint {self.azure.url}"
        # actions/checkout: the policy file at the repository root.
        shutil.copy(ROOT / "auditor" / "demo" / "egress-audit.yaml", workspace / env["POLICY"])
        shutil.copy(ROOT / "auditor" / "demo" / "partners-gateway.yaml", workspace)
        # actions/cache/restore: the newest baseline, at the path the step names.
        baseline = workspace / _step("Restore the baseline")["with"]["path"]
        if (self.cache / "baseline.json").exists():
            baseline.parent.mkdir(parents=True)
            shutil.copy(self.cache / "baseline.json", baseline)
        outputs, summary = workspace.parent / "output", workspace.parent / "summary.md"
        outputs.touch()
        summary.touch()
        env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"] = str(outputs), str(summary)
        audit = _bash(_step("Audit")["run"], env, workspace)
        # actions/cache/save: `if: hashFiles(baseline) != ''`.
        saved = workspace / _step("Save the baseline")["with"]["path"]
        if saved.exists():
            shutil.copy(saved, self.cache / "baseline.json")
        values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
        result = 0
        if values.get("exit-code", "") not in ("", "0"):
            step = _step("Audit result")
            final = _bash(step["run"], {**env, "CODE": values["exit-code"]}, workspace)
            assert "::error::egress-audit exited" in final.stdout
            result = final.returncode
        return values, workspace, audit, result


def test_the_workflow_runs_twice_and_the_second_run_reports_drift(
    tmp_path: Path,
    installed: Path,
    azure: FakeResourceGraph,
    estate: ResourceGraphEstate,
    ca: trustme.CA,
) -> None:
    runner = Runner(tmp_path, installed, azure, ca)
    outputs, workspace, audit, result = runner.run()
    assert audit.returncode == 0, audit.stderr
    assert outputs == {"exit-code": "1"}  # the demo estate has high findings
    assert result == 1
    assert "no baseline at .egress-audit/baseline.json yet: nothing to compare" in audit.stderr
    assert (runner.cache / "baseline.json").exists()
    summary = (workspace.parent / "summary.md").read_text()
    assert summary.startswith("#")
    upload = workspace / "reports" / "sarif" / "egress-audit-1.sarif"
    check_upload(json.loads(upload.read_text()), upload.read_text())
    first = json.loads((workspace / "reports" / "egress-audit.json").read_text())
    assert first["baseline"] is None
    assert not [f for f in first["findings"] if f["ruleId"].startswith("DRF")]

    _change_checkout_ip(estate, "20.61.20.99")
    outputs, workspace, audit, result = runner.run()
    assert audit.returncode == 0, audit.stderr
    assert (outputs, result) == ({"exit-code": "1"}, 1)
    assert "no baseline" not in audit.stderr
    second = json.loads((workspace / "reports" / "egress-audit.json").read_text())
    assert second["baseline"]
    drift = [f for f in second["findings"] if f["ruleId"].startswith("DRF")]
    assert drift
    assert all("aks-checkout-prod" in f["resourceId"] for f in drift)
    assert any("20.61.20.99" in f["message"] for f in drift)
    ips = json.loads((workspace / "reports" / "egress-ips.json").read_text())
    assert (ips["estate"]["added"], ips["estate"]["removed"]) == (
        ["20.61.20.99/32"], ["20.61.20.17/32"],
    )  # fmt: skip
    cached = json.loads((runner.cache / "baseline.json").read_text())
    assert any(r.get("properties", {}).get("ipAddress") == "20.61.20.99"
               for r in cached["resources"][PUBLIC_IPS])  # fmt: skip
    only_queries_were_sent(azure)


# -- the CronJob --------------------------------------------------------------------------------


def _manifests() -> dict[str, dict[str, Any]]:
    return {
        doc["kind"]: doc
        for path in sorted(KUBERNETES.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
    }


class Pod:
    """The CronJob's container, its mounts as folders, the ConfigMap's policy in its mount."""

    def __init__(self, tmp: Path, bin_dir: Path, azure: FakeResourceGraph, ca: trustme.CA):
        manifests = _manifests()
        spec = manifests["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        (self.container,) = spec["containers"]
        self.mounts = {m["mountPath"]: tmp / "mounts" / m["name"]
                       for m in self.container["volumeMounts"]}  # fmt: skip
        for folder in self.mounts.values():
            folder.mkdir(parents=True)
        configmap = manifests["ConfigMap"]
        for name, text in configmap["data"].items():
            (self.mounts["/etc/egress-audit"] / name).write_text(text, encoding="utf-8")
        self.env = {**_base_env(tmp, ca), "PATH": f"{bin_dir}:{_base_env(tmp, ca)['PATH']}"}
        for item in self.container["env"]:
            if "value" in item:
                self.env[item["name"]] = self._path(item["value"])
        self.azure = azure
        self.reports = self.mounts["/reports"]

    def _path(self, value: str) -> str:
        for mount, folder in self.mounts.items():
            if value == mount or value.startswith(mount + "/"):
                return str(folder) + value[len(mount) :]
        return value

    def argv(self) -> list[str]:
        args = [self._path(a) for a in self.container["args"]]
        assert args.count("workload-identity") == 1
        args[args.index("workload-identity")] = "cli"
        return [*self.container["command"], *args, "--arm-endpoint", self.azure.url]

    def run(self, webhook: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if webhook is not None:  # the optional Secret exists
            (secret,) = [e for e in self.container["env"] if "valueFrom" in e]
            env[secret["name"]] = webhook
        return subprocess.run(
            self.argv(), env=env, cwd=self.reports, capture_output=True, text=True,
            check=False, timeout=300,
        )  # fmt: skip


def _runs(reports: Path) -> list[str]:
    return sorted(p.name for p in reports.iterdir() if p.is_dir() and not p.is_symlink())


def test_the_cronjob_keeps_the_baseline_prunes_fails_on_findings_and_notifies(
    tmp_path: Path,
    installed: Path,
    azure: FakeResourceGraph,
    estate: ResourceGraphEstate,
    ca: trustme.CA,
    receiver: Receiver,
) -> None:
    pod = Pod(tmp_path, installed, azure, ca)
    keep = int(pod.container["args"][pod.container["args"].index("--keep") + 1])
    for day in range(1, keep + 1):  # a volume that already holds `keep` older runs
        (pod.reports / f"2020-01-{day:02d}T051700Z").mkdir()
    (pod.reports / "2020-01-01T051700Z" / "egress-audit.json").write_text("{}")

    first = pod.run()  # no Secret: no webhook
    assert first.returncode == 1, first.stderr  # high findings in the demo estate
    assert "no baseline at" in first.stderr
    assert receiver.bodies == []
    baseline = pod.reports / "baseline.json"
    assert json.loads(baseline.read_text())["format"] == "egress-audit-snapshot"
    runs = _runs(pod.reports)
    assert len(runs) == keep
    assert "2020-01-01T051700Z" not in runs
    assert (pod.reports / "latest").resolve().name == runs[-1]

    _change_checkout_ip(estate, "20.61.20.99")
    second = pod.run(webhook=receiver.url)
    assert second.returncode == 1, second.stderr
    assert len(_runs(pod.reports)) == keep
    latest = pod.reports / "latest"
    report = json.loads((latest / "egress-audit.json").read_text())
    drift = [f for f in report["findings"] if f["ruleId"].startswith("DRF")]
    assert drift
    (body,) = receiver.bodies
    text = body["attachments"][0]["content"]["body"][0]["text"]
    assert "drift since the baseline" in text
    assert "secret-token-123" not in second.stderr + second.stdout
    assert "summary posted to the webhook (teams)" in second.stderr
    assert any(r.get("properties", {}).get("ipAddress") == "20.61.20.99"
               for r in json.loads(baseline.read_text())["resources"][PUBLIC_IPS])  # fmt: skip
    only_queries_were_sent(azure)
