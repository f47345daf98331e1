"""`egress-audit egress-ips`: the allowlist feed, exact, deterministic, never silently short."""

from __future__ import annotations

import copy
import csv
import io
import ipaddress
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from auditor import egress_ips, snapshot
from auditor.cli import main

PUBLIC_IPS = "microsoft.network/publicipaddresses"
CHECKOUT = "aks-checkout-prod"
ANALYTICS = "aks-analytics"


def _demo() -> dict[str, Any]:
    text = resources.files("auditor.demo").joinpath("estate.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _with_ip(document: dict[str, Any], name: str, address: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    (row,) = [r for r in changed["resources"][PUBLIC_IPS] if r["name"] == name]
    row["properties"]["ipAddress"] = address
    return changed


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["egress-ips", *argv, "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _cluster(document: dict[str, Any], name: str) -> dict[str, Any]:
    (cluster,) = [c for c in document["clusters"] if c["name"] == name]
    return cluster


def test_collapse_merges_exactly_and_never_widens() -> None:
    nets = [ipaddress.ip_network(n) for n in
            ("10.0.0.0/32", "10.0.0.1/32", "10.0.0.2/32", "10.0.0.0/31", "2001:db8::/128",
             "10.0.0.8/29", "192.0.2.0/25", "192.0.2.128/25")]  # fmt: skip
    assert [str(n) for n in egress_ips.collapse(nets)] == [
        "10.0.0.0/31", "10.0.0.2/32", "10.0.0.8/29", "192.0.2.0/24", "2001:db8::/128",
    ]  # fmt: skip
    covered = {a for n in nets for a in n}
    assert {a for n in egress_ips.collapse(nets) for a in n} == covered


def test_subtract_splits_a_network_around_what_is_removed() -> None:
    left = egress_ips.subtract(
        [ipaddress.ip_network("20.0.0.0/28")], [ipaddress.ip_network("20.0.0.4/30")]
    )
    assert [str(n) for n in left] == ["20.0.0.0/30", "20.0.0.8/29"]
    assert egress_ips.subtract([ipaddress.ip_network("20.0.0.4/30")],
                               [ipaddress.ip_network("20.0.0.0/24")]) == ()  # fmt: skip


def test_per_pool_cluster_destination_and_estate(capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, "--demo")
    assert document["format"] == "egress-audit-egress-ips"
    assert document["baselineCollectedAt"] is None
    analytics = _cluster(document, ANALYTICS)
    assert analytics["addresses"] == ["20.61.40.11/32", "20.61.40.12/32"]
    assert [p["addresses"] for p in analytics["nodePools"]] == [
        ["20.61.40.11/32", "20.61.40.12/32"]
    ] * 2
    payments, data = document["destinations"]
    assert (payments["id"], payments["declared"], payments["addresses"]) == (
        "clusters[0]", ["20.61.16.0/28"], ["20.61.16.0/28"],
    )  # fmt: skip
    assert payments["policy"] == "auditor/demo/egress-audit.yaml:7"
    assert payments["outsideDeclared"] == []
    assert data["outsideDeclared"] == ["51.124.80.0/30"]
    estate = document["estate"]
    assert "20.61.16.0/28" in estate["addresses"]
    assert estate["addresses"] == [str(n) for n in egress_ips.collapse(
        ipaddress.ip_network(a) for c in document["clusters"] for a in c["addresses"])]  # fmt: skip


def test_unknown_addresses_are_listed_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, "--demo")
    checkout = _cluster(document, CHECKOUT)
    assert checkout["unknown"] == [
        {
            "pool": f"{CHECKOUT}/batch (nodes)",
            "reason": "default outbound access: an implicit Microsoft-owned IP that can change",
        }
    ]
    integration = _cluster(document, "aks-integration-prod")
    assert integration["addresses"] == []
    assert all("not in the snapshot" in u["reason"] for u in integration["unknown"])
    assert len(integration["unknown"]) == len(integration["nodePools"])
    assert {u["pool"] for u in document["estate"]["unknown"]} >= {
        f"{CHECKOUT}/batch (nodes)",
        "aks-integration-prod/system (nodes)",
    }


def test_csv_and_text_carry_the_same_facts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["egress-ips", "--demo", "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert set(rows[0]) == {"scope", "id", "name", "address", "state", "reason"}
    unknown = [r for r in rows if r["scope"] == "cluster" and r["state"] == "unknown"]
    assert any(r["name"] == CHECKOUT and "default outbound access" in r["reason"] for r in unknown)
    outside = [r for r in rows if r["state"] == "outside-declared"]
    assert [(r["id"], r["address"]) for r in outside] == [("clusters[1]", "51.124.80.0/30")]
    assert main(["egress-ips", "--demo"]) == 0
    text = capsys.readouterr().out
    assert "OUTSIDE    51.124.80.0/30" in text
    assert f"{CHECKOUT}/batch (nodes): default outbound access" in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    for fmt in ("text", "csv", "json"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert main(["egress-ips", "--demo", "-f", fmt, "-o", str(first)]) == 0
        assert main(["egress-ips", "--demo", "-f", fmt, "-o", str(second)]) == 0
        assert first.read_bytes() == second.read_bytes()


def test_with_a_baseline_the_added_and_removed_addresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.json", _demo())
    now = _write(tmp_path / "now.json", _with_ip(_demo(), "pip-checkout-egress", "20.61.20.99"))
    document = _json(capsys, "--snapshot", str(now), "--baseline", str(base))
    checkout = _cluster(document, CHECKOUT)
    assert (checkout["added"], checkout["removed"]) == (["20.61.20.99/32"], ["20.61.20.17/32"])
    # The pool on default outbound access is not compared: unknown on both sides.
    assert checkout["notCompared"] == [
        {"pool": f"{CHECKOUT}/batch", "reason": "unknown now: default outbound access: an "
         "implicit Microsoft-owned IP that can change"}
    ]  # fmt: skip
    assert (document["estate"]["added"], document["estate"]["removed"]) == (
        ["20.61.20.99/32"], ["20.61.20.17/32"],
    )  # fmt: skip
    analytics = _cluster(document, ANALYTICS)
    assert (analytics["added"], analytics["removed"]) == ([], [])


def test_an_address_still_used_elsewhere_is_not_added_or_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # analytics' second IP becomes its first: the cluster lost one address, the estate too.
    base = _write(tmp_path / "base.json", _demo())
    now = _write(tmp_path / "now.json", _with_ip(_demo(), "pip-analytics-egress-02", "20.61.40.11"))
    document = _json(capsys, "--snapshot", str(now), "--baseline", str(base))
    analytics = _cluster(document, ANALYTICS)
    assert (analytics["added"], analytics["removed"]) == ([], ["20.61.40.12/32"])


def test_a_subscription_not_read_is_not_compared_and_the_run_is_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.json", _demo())
    partial = _demo()
    sub = "11111111-1111-4111-8111-111111111111"
    for rows in partial["resources"].values():
        rows[:] = [r for r in rows if r["subscriptionId"] != sub]
    partial["errors"] = [
        {"scope": "subscriptions batch 1/1", "status": 429, "message": "throttled",
         "subscriptions": [sub]}
    ]  # fmt: skip
    now = _write(tmp_path / "now.json", partial)
    assert main(["egress-ips", "--snapshot", str(now), "--baseline", str(base), "-f", "json"]) == 4
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert document["partial"] is True
    assert document["notRead"] == ["subscriptions batch 1/1 (HTTP 429): throttled"]
    assert "not read: subscriptions batch 1/1" in err
    assert document["estate"]["removed"] == []
    reasons = {n["reason"] for n in document["estate"]["notCompared"]}
    assert f"subscription {sub} was not read this time" in reasons


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["egress-ips", "--demo", "-o", "csv"]) == 2
    assert "did you mean --format csv?" in capsys.readouterr().err
    assert main(["egress-ips", "--demo", "--baseline", str(tmp_path / "missing.json")]) == 2
    assert "baseline" in capsys.readouterr().err
    assert main(["egress-ips", "--format", "json"]) == 2
    assert "--all-subscriptions" in capsys.readouterr().err


def test_the_feed_reads_the_snapshot_it_is_given(tmp_path: Path) -> None:
    snap = snapshot.load(_write(tmp_path / "s.json", _demo()))
    feed = egress_ips.feed(snap, snapshot_policy())
    assert feed.destinations == ()
    assert not feed.partial


def snapshot_policy() -> Any:
    from auditor.policy import EMPTY

    return EMPTY


def test_gateway_pods_and_virtual_nodes_are_in_the_feed(capsys: pytest.CaptureFixture[str]) -> None:
    partners = _cluster(_json(capsys, "--demo"), "aks-partners-prod")
    # The gateway prefix the demo policy's StaticGatewayConfiguration names.
    assert partners["addresses"] == ["20.61.66.4/32", "20.61.70.0/31"]
    pools = {p["name"]: p for p in partners["nodePools"]}
    assert [(p["traffic"], p["addresses"]) for p in pools["egressgw"]["paths"]] == [
        ("nodes", ["20.61.66.4/32"]),
        ("gateway pods egressgw (partner-sync/partner-egress)", ["20.61.70.0/31"]),
    ]
    (virtual,) = pools["virtual nodes"]["paths"]
    assert (virtual["traffic"], virtual["addresses"]) == ("virtual nodes", None)
