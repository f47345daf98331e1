"""The loopback HTTPS fake of Resource Graph and the `egress-audit` process run against it.

Real everything except Azure: the process imports the real SDK, signs in through the real
`DefaultAzureCredential` pinned to `AzureCliCredential` (AZURE_TOKEN_CREDENTIALS) which runs a
stand-in `az` first on PATH, and sends real HTTPS to a `http.server` thread on 127.0.0.1
whose certificate comes from a `trustme` CA passed through REQUESTS_CA_BUNDLE. The process
environment is built from scratch (conftest.py), so no managed-identity or proxy variable can
send azure-identity or requests to any other host; the server records every request, and the
tests check that the only ones were the Resource Graph query POSTs. The server answers from a
`ResourceGraphEstate`, whose fault-injecting mode (tests/collect/faults.py) it serves too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.collect.fakes import SUB_A, TENANT, Reply, ResourceGraphEstate

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "e2e-token"  # noqa: S105 - the stand-in az prints it, the fake server expects it
QUERY_PATH = "/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01"
NAT_GATEWAYS = "microsoft.network/natgateways"
MANAGED_CLUSTERS = "microsoft.containerservice/managedclusters"


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
