"""The `egress-audit` process against the loopback fake in its fault-injecting mode (#14).

Each fault the issue reproduced, end to end: the exit code, the one-line messages, the gap
in the reports (no SARIF run for a subscription not read, the banner), and that nothing but
Resource Graph queries left the process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.collect.paging import page_limit
from tests.collect.e2e.loopback import (
    MANAGED_CLUSTERS,
    NAT_GATEWAYS,
    QUERY_PATH,
    egress_audit,
    only_queries_were_sent,
)
from tests.collect.fakes import SUB_A, SUB_B, SUB_C, ResourceGraphEstate, synthetic_rows
from tests.collect.faults import inject

TWO = ("--subscription", SUB_A, "--subscription", SUB_B, "--batch-size", "1")
NAT = "=~ 'microsoft.network/natgateways'"


@pytest.fixture
def two_pages_in_b(estate: ResourceGraphEstate) -> None:
    estate.resources = [r for r in estate.resources if r["subscriptionId"] != SUB_B]
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 1500))


def stderr_lines(done) -> list[str]:
    lines = done.stderr.splitlines()
    assert all(line.startswith("egress-audit: ") for line in lines), done.stderr
    assert "Traceback" not in done.stderr
    return lines


@pytest.mark.usefixtures("two_pages_in_b")
def test_an_empty_follow_on_page_is_a_gap_in_every_report(graph, environment, estate):
    estate.injections.append(inject("empty-follow-on-page", subscription=SUB_B, marker=NAT))
    where = ("--arm-endpoint", graph.url)

    sarif = egress_audit(environment, *TWO, *where, "--format", "sarif")
    assert sarif.returncode == 4, sarif.stderr
    log = json.loads(sarif.stdout)
    assert [run["properties"]["subscriptionId"] for run in log["runs"]] == [SUB_A]
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(SUB_B in n["message"]["text"] for n in notes)

    text = egress_audit(environment, *TWO, *where, "--format", "text")
    assert text.returncode == 4
    assert (
        f"NOT READ: subscriptions batch 2/2: {NAT_GATEWAYS}: Resource Graph returned fewer rows "
        "than totalRecords and no more pages: received 1,000 of 1,500 rows; these rows are "
        "incomplete"
    ) in text.stdout
    only_queries_were_sent(graph)


@pytest.mark.usefixtures("two_pages_in_b")
def test_endless_tokens_stop_at_the_page_bound(graph, environment, estate, tmp_path):
    estate.injections.append(inject("endless-tokens", subscription=SUB_B, marker=NAT))
    output = tmp_path / "snap.json"
    done = egress_audit(
        environment, "snapshot", *TWO, "--arm-endpoint", graph.url, "--output", str(output)
    )
    assert done.returncode == 4, done.stderr
    [line] = stderr_lines(done)
    assert line == (
        f"egress-audit: not read: subscriptions batch 2/2: {NAT_GATEWAYS}: page 3, asked for "
        "with $skipToken, is empty but names another; paging stopped"
    )
    asked = [b for b in estate.bodies if NAT in b["query"] and b.get("subscriptions") == [SUB_B]]
    assert len(asked) <= page_limit(1500)
    document = json.loads(output.read_text(encoding="utf-8"))
    assert {r["subscriptionId"] for r in document["resources"][NAT_GATEWAYS]} == {SUB_A}


def test_an_hour_of_quota_is_a_gap_not_an_hour(graph, environment, estate, tmp_path):
    # The first resource query of B answers, then says the quota is gone for an hour.
    estate.injections.append(
        inject("quota-exhausted", subscription=SUB_B, marker="managedclusters'", times=1)
    )
    done = egress_audit(
        environment, *TWO, "--arm-endpoint", graph.url, "--format", "json", "--concurrency", "1"
    )
    assert done.returncode == 4, done.stderr
    assert not [line for line in stderr_lines(done) if "waiting" in line]  # nothing waited for
    report = json.loads(done.stdout)
    assert report["partial"] is True
    [error] = report["collectionErrors"]
    assert error["subscriptions"] == [SUB_B]
    assert error["message"].endswith(
        "Resource Graph query quota used up until it resets: asked to wait 3,600 s, longer "
        "than the 300 s egress-audit waits at once"
    )


def test_a_short_wait_is_said_on_stderr_and_max_wait_caps_it(graph, environment, estate):
    estate.injections.append(inject("quota-exhausted", marker="managedclusters'", value="00:00:02"))
    where = ("--arm-endpoint", graph.url, "--format", "json", "--concurrency", "1")
    waited = egress_audit(environment, "--subscription", SUB_A, *where)
    assert waited.returncode in (0, 1), waited.stderr
    [line] = stderr_lines(waited)
    assert re.fullmatch(
        r"egress-audit: waiting [12](\.\d)? s: Resource Graph query quota used up until it resets",
        line,
    )

    refused = egress_audit(environment, "--subscription", SUB_A, *where, "--max-wait", "0")
    assert refused.returncode == 4
    assert not [line for line in stderr_lines(refused) if "waiting" in line]
    [error] = json.loads(refused.stdout)["collectionErrors"]
    assert "longer than the 0 s egress-audit waits at once" in error["message"]


def test_401_for_one_batch_keeps_the_others(graph, environment, estate):
    estate.injections.append(inject("status", subscription=SUB_B, value=401))
    done = egress_audit(environment, *TWO, "--arm-endpoint", graph.url, "--format", "json")
    assert done.returncode == 4, done.stderr
    report = json.loads(done.stdout)
    assert [c["name"] for c in report["clusters"]] == ["clustername1"]
    assert [(e["subscriptions"], e["status"]) for e in report["collectionErrors"]] == [
        ([SUB_B], 401)
    ]
    assert "InvalidAuthenticationTokenTenant" in report["collectionErrors"][0]["message"]


def test_409_and_a_redirect_send_nothing_but_queries(graph, environment, estate, tmp_path):
    estate.subscriptions(SUB_C)
    estate.injections.append(inject("status", subscription=SUB_B, value=409))
    estate.injections.append(inject("redirect", subscription=SUB_C))
    output = tmp_path / "snap.json"
    done = egress_audit(
        environment,
        *("snapshot", *TWO, "--subscription", SUB_C),
        *("--arm-endpoint", graph.url, "--output", str(output)),
    )
    assert done.returncode == 4, done.stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [(e["subscriptions"], e["status"]) for e in document["errors"]] == [
        ([SUB_B], 409),
        ([SUB_C], 307),
    ]
    assert len(stderr_lines(done)) == 2
    # No `POST …/register`, no request to where the redirect pointed.
    only_queries_were_sent(graph)
    assert {path for _, path, _ in graph.requests} == {QUERY_PATH}


def test_a_row_without_id_and_invalid_json_leave_a_snapshot_every_audit_reads(
    graph, environment, estate, tmp_path
):
    estate.injections.append(inject("row-without-id", subscription=SUB_A, marker=NAT))
    estate.injections.append(inject("invalid-json", subscription=SUB_B, marker="managedclusters'"))
    output = tmp_path / "snap.json"
    done = egress_audit(
        environment, "snapshot", *TWO, "--arm-endpoint", graph.url, "--output", str(output)
    )
    assert done.returncode == 4, done.stderr
    assert stderr_lines(done) == [
        f"egress-audit: not read: subscriptions batch 1/2: {NAT_GATEWAYS}: returned a row the "
        "snapshot cannot hold (row 1.id: missing)",
        f"egress-audit: not read: subscriptions batch 2/2: {MANAGED_CLUSTERS}: HTTP 200 answer "
        "whose body is not valid JSON",
    ]
    audit = egress_audit(environment, "--snapshot", str(output), "--format", "json")
    assert audit.returncode == 4, audit.stderr  # partial, not an unreadable file (2)
    assert Path(output).stat().st_size > 0
