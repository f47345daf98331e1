"""`egress-audit job`: reports, drift against the kept baseline, pruning, exit code, webhook."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from auditor import notify
from auditor.cli import main
from tests import demo_expected

PUBLIC_IPS = "microsoft.network/publicipaddresses"
REPORTS = {
    "egress-audit.json", "egress-audit.md", "egress-audit.full.sarif.json", "egress-ips.csv",
    "egress-ips.json", "sarif",
}  # fmt: skip


def _demo() -> dict[str, Any]:
    text = resources.files("auditor.demo").joinpath("estate.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _snapshot(path: Path, checkout_ip: str = "20.61.20.17") -> Path:
    document = copy.deepcopy(_demo())
    (row,) = [r for r in document["resources"][PUBLIC_IPS] if r["name"] == "pip-checkout-egress"]
    row["properties"]["ipAddress"] = checkout_ip
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class Receiver(ThreadingHTTPServer):
    """A chat webhook on 127.0.0.1 that records what it is sent."""

    daemon_threads = True

    def __init__(self, status: int = 200) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = status
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/T000/B000/secret-token-123"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(json.loads(self.rfile.read(length)))
        self.server.paths.append(self.path)
        self.send_response(self.server.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


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


@pytest.fixture(autouse=True)
def no_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(notify.WEBHOOK_ENV, raising=False)


def _runs(reports: Path) -> list[str]:
    return sorted(p.name for p in reports.iterdir() if p.is_dir() and not p.is_symlink())


def test_first_run_writes_every_report_and_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports, base = tmp_path / "reports", tmp_path / "reports" / "baseline.json"
    code = main(["job", "--demo", "--reports", str(reports), "--keep", "3",
                 "--baseline", str(base)])  # fmt: skip
    assert code == 1  # the demo has high and critical findings; --fail-on high is the default
    err = capsys.readouterr().err
    assert f"no baseline at {base} yet: nothing to compare" in err
    assert f"baseline {base} updated" in err
    (run,) = _runs(reports)
    assert (reports / "latest").resolve() == (reports / run).resolve()
    assert {p.name for p in (reports / run).iterdir()} == REPORTS
    assert (reports / run / "sarif" / "egress-audit-1.sarif").exists()
    report = json.loads((reports / run / "egress-audit.json").read_text())
    assert report["baseline"] is None
    assert json.loads(base.read_text())["format"] == "egress-audit-snapshot"


def test_the_exit_code_follows_fail_on(tmp_path: Path) -> None:
    argv = ["job", "--demo", "--reports", str(tmp_path / "r")]
    assert main([*argv, "--fail-on", "never"]) == 0
    assert main([*argv, "--fail-on", "CRITICAL"]) == 1
    # Without --keep the reports go straight into --reports, replaced each run.
    assert {p.name for p in (tmp_path / "r").iterdir()} >= REPORTS


def test_the_second_run_reports_drift_from_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports, base = tmp_path / "reports", tmp_path / "baseline.json"
    argv = ["--reports", str(reports), "--keep", "5", "--baseline", str(base), "--fail-on",
            "critical"]  # fmt: skip
    first = _snapshot(tmp_path / "first.json")
    second = _snapshot(tmp_path / "second.json", checkout_ip="20.61.20.99")
    assert main(["job", "--snapshot", str(first), *argv]) == 1
    capsys.readouterr()
    assert main(["job", "--snapshot", str(second), *argv]) == 1
    latest = reports / "latest"
    report = json.loads((latest / "egress-audit.json").read_text())
    assert report["baseline"]
    drift = [f for f in report["findings"] if f["ruleId"].startswith("DRF")]
    assert drift
    assert all("aks-checkout-prod" in f["resourceId"] for f in drift)
    ips = json.loads((latest / "egress-ips.json").read_text())
    assert (ips["estate"]["added"], ips["estate"]["removed"]) == (
        ["20.61.20.99/32"], ["20.61.20.17/32"],
    )  # fmt: skip
    assert "drift" in (latest / "egress-audit.md").read_text().lower()
    assert json.loads(base.read_text())["resources"] == json.loads(second.read_text())["resources"]


def test_old_runs_are_pruned_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "notes.txt").write_text("kept")
    (reports / "2020-01-01-manual").mkdir()
    argv = ["job", "--demo", "--reports", str(reports), "--keep", "2", "--fail-on", "never"]
    for _ in range(3):
        assert main(argv) == 0
    runs = [r for r in _runs(reports) if r != "2020-01-01-manual"]
    assert len(runs) == 2
    assert (reports / "latest").resolve().name == runs[-1]
    assert (reports / "notes.txt").read_text() == "kept"
    assert (reports / "2020-01-01-manual").is_dir()
    assert "pruned" in capsys.readouterr().err


def test_a_partial_snapshot_exits_4_and_keeps_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "baseline.json"
    _snapshot(base)
    before = base.read_bytes()
    partial = _demo()
    partial["errors"] = [{"scope": "subscriptions batch 2/2", "status": 429,
                          "message": "throttled", "subscriptions": []}]  # fmt: skip
    snap = tmp_path / "partial.json"
    snap.write_text(json.dumps(partial))
    code = main(["job", "--snapshot", str(snap), "--reports", str(tmp_path / "r"),
                 "--baseline", str(base), "--fail-on", "never"])  # fmt: skip
    assert code == 4
    assert "not updated: the collection was partial" in capsys.readouterr().err
    assert base.read_bytes() == before


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["job", "--demo"]) == 2
    assert "--reports" in capsys.readouterr().err
    assert main(["job", "--reports", str(tmp_path)]) == 2
    assert "--all-subscriptions" in capsys.readouterr().err
    assert main(["job", "--demo", "--reports", str(tmp_path), "--keep", "0"]) == 2
    assert main(["job", "--demo", "--subscription", "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                 "--reports", str(tmp_path)]) == 2  # fmt: skip
    assert "only apply when collecting live" in capsys.readouterr().err


# -- the webhook ------------------------------------------------------------------------------


def test_no_webhook_unless_configured(
    tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["job", "--demo", "--reports", str(tmp_path), "--notify", "always"]) == 1
    assert receiver.bodies == []
    assert "webhook" not in capsys.readouterr().err


def test_the_summary_is_posted_and_the_url_never_printed(
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(notify.WEBHOOK_ENV, receiver.url)
    assert main(["job", "--demo", "--reports", str(tmp_path), "--fail-on", "critical"]) == 1
    (body,) = receiver.bodies
    assert receiver.paths == ["/hooks/T000/B000/secret-token-123"]
    text = body["text"]
    assert text.startswith("egress-audit: 2 findings at or above critical")
    assert "[critical] LB003: Cluster aks-intranet-legacy uses the Basic load balancer" in text
    assert f"Reports: {tmp_path}" in text
    err = capsys.readouterr().err
    assert "summary posted to the webhook (slack)" in err
    assert "secret-token-123" not in err


def test_teams_gets_an_adaptive_card(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notify.WEBHOOK_ENV, receiver.url)
    argv = ["job", "--demo", "--reports", str(tmp_path), "--webhook-format", "teams"]
    assert main(argv) == 1
    (body,) = receiver.bodies
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    (block,) = attachment["content"]["body"]
    assert block["type"] == "TextBlock"
    high = sum(1 for f in demo_expected.ACTIVE if f.severity in ("critical", "high"))
    assert block["text"].startswith(f"egress-audit: {high} findings at or above high")


def test_a_clean_run_posts_only_with_notify_always(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notify.WEBHOOK_ENV, receiver.url)
    argv = ["job", "--demo", "--reports", str(tmp_path), "--fail-on", "never"]
    assert main(argv) == 0
    assert receiver.bodies == []
    assert main([*argv, "--notify", "always"]) == 0
    active = len(demo_expected.ACTIVE)
    assert receiver.bodies[0]["text"].startswith(f"egress-audit: {active} active findings")


def test_a_failed_post_is_a_warning_and_exit_4(
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    receiver.status = 403
    monkeypatch.setenv(notify.WEBHOOK_ENV, receiver.url)
    assert main(["job", "--demo", "--reports", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert "warning: summary not posted: the webhook answered HTTP 403" in err
    assert "secret-token-123" not in err


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/services/secret-token-123", "ftp://x/secret-token-123"]
)
def test_a_webhook_url_must_be_https(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(notify.WEBHOOK_ENV, url)
    assert main(["job", "--demo", "--reports", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert f"{notify.WEBHOOK_ENV} must be an https:// URL" in err
    assert "secret-token-123" not in err


def test_names_cannot_inject_markup() -> None:
    lines = ["- [high] X: pool <!channel> *bold* [x](http://e)"]
    assert notify.payload(lines, "slack")["text"] == (
        "- [high] X: pool &lt;!channel&gt; *bold* [x](http://e)"
    )
    card = notify.payload(lines, "teams")["attachments"][0]["content"]["body"][0]["text"]
    assert card == r"• \[high\] X: pool \<!channel\> \*bold\* \[x\]\(http://e\)"


def test_a_bad_snapshot_leaves_no_run_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    code = main(["job", "--snapshot", str(tmp_path / "missing.json"), "--reports", str(reports),
                 "--keep", "2"])  # fmt: skip
    assert code == 2
    assert "missing.json" in capsys.readouterr().err
    assert list(reports.iterdir()) == []
