"""The `egress-audit` process against a loopback HTTPS fake of Resource Graph (loopback.py).

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
import subprocess
import sys
from typing import Any

from tests.collect.e2e.loopback import (
    MANAGED_CLUSTERS,
    NAT_GATEWAYS,
    ROOT,
    az_was_asked_for,
    egress_audit,
    only_queries_were_sent,
)
from tests.collect.fakes import SUB_A, SUB_B, Reply, rate_limited


def sub_b_always_throttled(number: int, body: dict[str, Any]) -> Reply | None:
    """Every resource query for subscription B: 429, `Retry-After: 0` (no real waiting)."""
    if body.get("subscriptions") == [SUB_B] and body["query"].startswith("resources\n"):
        return rate_limited({"Retry-After": "0"})
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
