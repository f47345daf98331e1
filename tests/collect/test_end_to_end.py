"""The `egress-audit` process against a loopback HTTPS fake of Resource Graph.

Real everything except Azure: the process imports the real SDK, signs in through the real
`DefaultAzureCredential` pinned to `AzureCliCredential` (AZURE_TOKEN_CREDENTIALS) which runs a
stand-in `az` first on PATH, and sends real HTTPS to a `http.server` thread on 127.0.0.1
whose certificate comes from a `trustme` CA passed through REQUESTS_CA_BUNDLE. The process
environment is built from scratch, so no managed-identity or proxy variable can send
azure-identity or requests to any other host; the server records every request, and the
tests check that the only ones were the Resource Graph query POSTs.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.collect.fakes import (
    SUB_A,
    SUB_B,
    TENANT,
    Reply,
    ResourceGraphEstate,
    arg_row,
    example_body,
    rate_limited,
    synthetic_rows,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "e2e-token"  # noqa: S105 - the stand-in az prints it, the fake server expects it
QUERY_PATH = "/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01"
NAT_GATEWAYS = "microsoft.network/natgateways"
MANAGED_CLUSTERS = "microsoft.containerservice/managedclusters"


# -- the fake Resource Graph ----------------------------------------------------------------


class FakeResourceGraph(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, estate: ResourceGraphEstate) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.estate = estate
        self.requests: list[tuple[str, str, str]] = []  # method, path, Authorization
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeResourceGraph
    protocol_version = "HTTP/1.1"
    # One write per reply and no Nagle delay: keep-alive round trips stay sub-millisecond.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.requests.append(
                (self.command, self.path, self.headers.get("Authorization", ""))
            )
        return body

    def _send(self, reply: Reply) -> None:
        payload = reply.payload()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        body = self._record()
        if self.path != QUERY_PATH:
            self._send(Reply(404, {"error": {"code": "NotFound", "message": self.path}}))
        elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(Reply(401, {"error": {"code": "AuthenticationFailed", "message": "no"}}))
        else:
            with self.server.lock:
                reply = self.server.estate.answer(json.loads(body))
            self._send(reply)

    def _refuse(self) -> None:
        self._record()
        self._send(Reply(405, {"error": {"code": "MethodNotAllowed", "message": self.command}}))

    do_GET = do_PUT = do_PATCH = do_DELETE = do_HEAD = _refuse


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def estate() -> ResourceGraphEstate:
    estate = ResourceGraphEstate()
    estate.add(
        [
            arg_row(example_body("ManagedClustersGet"), SUB_A, "rg1"),
            arg_row(example_body("NatGatewayGet"), SUB_A, "rg1"),
            arg_row(example_body("VirtualNetworkGet"), SUB_A, "rg1"),
            arg_row(example_body("PublicIpAddressGet"), SUB_A, "rg1"),
        ]
    )
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 3))
    return estate


@pytest.fixture
def graph(ca: trustme.CA, estate: ResourceGraphEstate) -> Iterator[FakeResourceGraph]:
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


# -- the process ----------------------------------------------------------------------------


@pytest.fixture
def environment(tmp_path: Path, ca: trustme.CA) -> dict[str, str]:
    """A process environment built from nothing: only what the test means to give it."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    home = tmp_path / "home"
    (home / ".azure").mkdir(parents=True)
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    write_az(stand_in, tmp_path / "az-calls.txt")
    env = {
        "PATH": f"{stand_in}:/usr/bin:/bin",
        "HOME": str(home),
        "AZURE_CONFIG_DIR": str(home / ".azure"),
        "REQUESTS_CA_BUNDLE": str(bundle),
        "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # Nothing that could point azure-identity or requests anywhere else.
    for name in (
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
        "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_AUTHORITY_HOST", "AZURE_USERNAME", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
        "http_proxy", "ALL_PROXY",
    ):  # fmt: skip
        assert name not in env
    return env


def write_az(folder: Path, calls: Path) -> None:
    """A stand-in `az account get-access-token` (what AzureCliCredential parses, 1.27)."""
    expires = datetime.now() + timedelta(hours=1)
    token = {
        "accessToken": TOKEN,
        "expiresOn": expires.strftime("%Y-%m-%d %H:%M:%S.%f"),
        "expires_on": int(time.time()) + 3600,
        "subscription": SUB_A,
        "tenant": TENANT,
        "tokenType": "Bearer",
    }
    script = folder / "az"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{calls}"\n'
        'if [ -n "$AZ_STAND_IN_FAILS" ]; then\n'
        "  echo \"ERROR: Please run 'az login' to setup account.\" >&2\n"
        "  exit 1\n"
        "fi\n"
        f"echo '{json.dumps(token)}'\n",
        encoding="utf-8",
    )
    script.chmod(0o755)


def egress_audit(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def only_queries_were_sent(graph: FakeResourceGraph) -> None:
    assert graph.requests, "the process sent nothing"
    for method, path, authorization in graph.requests:
        assert (method, path, authorization) == ("POST", QUERY_PATH, f"Bearer {TOKEN}")


def az_was_asked_for(env: dict[str, str], graph: FakeResourceGraph, tmp_path: Path) -> None:
    calls = (tmp_path / "az-calls.txt").read_text(encoding="utf-8").splitlines()
    assert calls
    assert all(
        c.startswith(f"account get-access-token --output json --resource {graph.url}")
        for c in calls
    )


def sub_b_always_throttled(number: int, body: dict[str, Any]) -> Reply | None:
    """Every resource query for subscription B: 429, `Retry-After: 0` (no real waiting)."""
    if body.get("subscriptions") == [SUB_B] and body["query"].startswith("resources\n"):
        return rate_limited(
            {
                "Retry-After": "0",
                "x-ms-user-quota-remaining": "0",
                "x-ms-user-quota-resets-after": "00:00:00",
            }
        )
    return None


# -- without the CLI: the collection path in its own process -----------------------------------

IN_PROCESS = """
import argparse, sys
from pathlib import Path
from auditor import snapshot
from auditor.collect.args import add_collection_arguments, collect_from_args
from auditor.errors import CollectionFailed

parser = argparse.ArgumentParser()
add_collection_arguments(parser)
parser.add_argument("--output", type=Path, required=True)
args = parser.parse_args()
try:
    snap = collect_from_args(args)
except CollectionFailed as exc:
    print(f"egress-audit: error: {exc}", file=sys.stderr)
    sys.exit(int(exc.exit_code))
snapshot.write(snap, args.output)
sys.exit(4 if snap.errors else 0)
"""


def collect_in_process(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", IN_PROCESS, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_collection_in_a_process(graph, environment, estate, tmp_path):
    estate.faults.append(sub_b_always_throttled)
    output = tmp_path / "snap.json"
    done = collect_in_process(
        environment,
        *("--subscription", SUB_A, "--subscription", SUB_B, "--batch-size", "1"),
        *("--arm-endpoint", graph.url, "--output", str(output)),
    )
    assert done.returncode == 4, done.stderr
    assert done.stderr == ""  # not a terminal: no progress
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [row["name"] for row in document["resources"][MANAGED_CLUSTERS]] == ["clustername1"]
    assert [r["subscriptionId"] for r in document["resources"][NAT_GATEWAYS]] == [SUB_A]
    assert [(e["scope"], e["status"], e["subscriptions"]) for e in document["errors"]] == [
        ("subscriptions batch 2/2", 429, [SUB_B])
    ]
    assert document["scope"]["armEndpoint"] == graph.url
    only_queries_were_sent(graph)
    az_was_asked_for(environment, graph, tmp_path)


def test_collection_in_a_process_without_a_login_exits_3(graph, environment):
    environment["AZ_STAND_IN_FAILS"] = "1"
    done = collect_in_process(
        environment, "--subscription", SUB_A, "--arm-endpoint", graph.url, "--output", "x.json"
    )
    assert done.returncode == 3
    [line] = done.stderr.splitlines()
    assert line == (
        "egress-audit: error: Azure authentication failed (AzureCliCredential: Please run "
        "'az login' to set up an account) — sign in with `az login` (or choose a credential "
        "with --auth or AZURE_TOKEN_CREDENTIALS, e.g. AZURE_TOKEN_CREDENTIALS=AzureCliCredential)"
        " and give the identity the Reader role on the subscriptions or management group to audit"
    )
    assert graph.requests == []


# -- through the CLI --------------------------------------------------------------------------


def test_snapshot_command_writes_the_collected_estate(graph, environment, estate, tmp_path):
    output = tmp_path / "snap.json"
    done = egress_audit(
        environment,
        *("snapshot", "--subscription", SUB_A, "--arm-endpoint", graph.url),
        *("--output", str(output)),
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["format"] == "egress-audit-snapshot"
    assert document["errors"] == []
    assert document["scope"]["subscriptions"] == [SUB_A]
    expected = {t: [r for r in estate.resources if r["type"] == t and r["subscriptionId"] == SUB_A]
                for t in document["resources"]}  # fmt: skip
    assert document["resources"] == expected
    only_queries_were_sent(graph)
    az_was_asked_for(environment, graph, tmp_path)


def test_default_command_collects_then_audits(graph, environment):
    done = egress_audit(
        environment, "--subscription", SUB_A, "--arm-endpoint", graph.url, "--format", "json"
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["partial"] is False
    assert [c["name"] for c in report["clusters"]] == ["clustername1"]
    assert report["scope"]["subscriptions"] == [SUB_A]
    only_queries_were_sent(graph)


def test_a_batch_that_keeps_failing_exits_4_with_the_gap_recorded(
    graph, environment, estate, tmp_path
):
    estate.faults.append(sub_b_always_throttled)
    output = tmp_path / "snap.json"
    done = egress_audit(
        environment,
        *("snapshot", "--subscription", SUB_A, "--subscription", SUB_B, "--batch-size", "1"),
        *("--arm-endpoint", graph.url, "--output", str(output)),
    )
    assert done.returncode == 4, done.stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [(e["scope"], e["status"], e["subscriptions"]) for e in document["errors"]] == [
        ("subscriptions batch 2/2", 429, [SUB_B])
    ]
    assert "gave up after 5 attempts" in document["errors"][0]["message"]
    assert [r["subscriptionId"] for r in document["resources"][NAT_GATEWAYS]] == [SUB_A]

    report = egress_audit(
        environment,
        *("--subscription", SUB_A, "--subscription", SUB_B, "--batch-size", "1"),
        *("--arm-endpoint", graph.url, "--format", "json"),
    )
    assert report.returncode == 4, report.stderr
    assert json.loads(report.stdout)["collectionErrors"][0]["subscriptions"] == [SUB_B]
    only_queries_were_sent(graph)


def test_no_login_exits_3_with_one_line_that_says_what_to_do(graph, environment):
    environment["AZ_STAND_IN_FAILS"] = "1"
    done = egress_audit(environment, "--subscription", SUB_A, "--arm-endpoint", graph.url)
    assert done.returncode == 3
    [line] = done.stderr.splitlines()
    assert line.startswith("egress-audit: error: ")
    assert "az login" in line
    assert graph.requests == []
