"""The bundled demo estate through the real CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.cli import main
from rules.registry import BUILTIN

PROD = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups"
NONPROD = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups"
AKS = "providers/Microsoft.ContainerService/managedClusters"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    report = tmp_path_factory.mktemp("demo") / "report.json"
    assert main(["--demo", "--format", "json", "--output", str(report)]) == 1  # findings by design
    document: dict[str, Any] = json.loads(report.read_text())
    return document


def _subjects(document: dict[str, Any], rule_id: str) -> list[str]:
    return [f["resourceId"] for f in document["findings"] if f["ruleId"] == rule_id]


def test_egr001_only_on_the_misplaced_node_pool(demo: dict[str, Any]) -> None:
    assert _subjects(demo, "EGR001") == [
        f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/batch"
    ]


def test_net001_only_on_the_kubenet_cluster(demo: dict[str, Any]) -> None:
    assert _subjects(demo, "NET001") == [f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet"]


def test_payments_pools_resolve_to_the_nat_prefix(demo: dict[str, Any]) -> None:
    payments = next(c for c in demo["clusters"] if c["name"] == "aks-payments-prod")
    assert payments["egressIps"] == ["20.61.16.0/28"]
    for pool in payments["nodePools"]:
        assert pool["egress"]["kind"] == "nat-gateway"
        assert pool["egress"]["publicIps"] == ["20.61.16.0/28"]


def test_nat007_where_the_nat_keeps_the_default(demo: dict[str, Any]) -> None:
    payments = f"{PROD}/rg-payments-prod/{AKS}/aks-payments-prod/agentPools"
    assert _subjects(demo, "NAT007") == [
        f"{payments}/jobs",
        f"{payments}/payments",
        f"{payments}/system",
    ]


# The egress-path (EGR002–EGR010) and NAT gateway (NAT001–NAT012 but NAT007) rules.
PATH_AND_NAT_RULES = {
    *(f"EGR0{i:02d}" for i in range(2, 11)),
    *(f"NAT0{i:02d}" for i in range(1, 13) if i != 7),
}
NETWORK = "providers/Microsoft.Network"


def test_path_and_nat_rules_fire_only_where_the_demo_builds_the_flaw(
    demo: dict[str, Any],
) -> None:
    found = sorted(
        (f["ruleId"], f["resourceId"], f["severity"])
        for f in demo["findings"]
        if f["ruleId"] in PATH_AND_NAT_RULES
    )
    analytics = f"{PROD}/rg-analytics-prod"
    podsubnet = f"{PROD}/rg-podsubnet-prod/{AKS}/aks-podsubnet-prod/agentPools"
    data = f"{PROD}/rg-data-prod/{AKS}/aks-data-prod/agentPools"
    tooling = f"{PROD}/rg-tooling-prod"
    kyc = f"{PROD}/rg-kyc-prod"
    telemetry = f"{PROD}/rg-telemetry-prod/{AKS}/aks-telemetry-prod"
    assert found == [
        ("EGR002", f"{podsubnet}/ledger", "medium"),
        ("EGR002", f"{podsubnet}/system", "medium"),
        ("EGR003", f"{analytics}/{AKS}/aks-analytics/agentPools/spark", "medium"),
        ("EGR003", f"{analytics}/{AKS}/aks-analytics/agentPools/system", "medium"),
        # High: the policy's allowed_egress for aks-data-prod is the NAT gateway's address.
        (
            "EGR004",
            f"{PROD}/rg-data-prod/{NETWORK}/virtualNetworks/vnet-spoke-data/subnets/snet-aks-nodes",
            "high",
        ),
        # The CI runners' subnet has a NAT gateway instead of the route to the firewall.
        ("EGR005", f"{tooling}/{AKS}/aks-tooling-prod/agentPools/runners", "high"),
        # Info: aks-kyc-prod is network-isolated by design (outbound type block).
        (
            "EGR006",
            f"{kyc}/{NETWORK}/virtualNetworks/vnet-spoke-kyc/subnets/snet-aks-system",
            "info",
        ),
        ("EGR007", f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/batch", "high"),
        ("EGR008", f"{kyc}/{AKS}/aks-kyc-prod/agentPools/workers", "info"),
        ("EGR009", f"{NONPROD}/rg-edge-nonprod/{AKS}/aks-edge-nonprod/agentPools/edge", "medium"),
        # The 0.0.0.0/0 route to the hub firewall moved egress off the allowlisted NAT address.
        ("EGR010", f"{data}/etl", "high"),
        ("EGR010", f"{data}/system", "high"),
        (
            "NAT001",
            f"{NONPROD}/rg-reporting-nonprod/{NETWORK}/natGateways/ng-reporting-egress",
            "critical",
        ),
        (
            "NAT002",
            f"{NONPROD}/rg-intranet-nonprod/{NETWORK}/natGateways/ng-intranet-egress",
            "low",
        ),
        ("NAT003", f"{tooling}/{NETWORK}/natGateways/ng-tooling-runners", "high"),
        ("NAT004", f"{PROD}/rg-checkout-prod/{NETWORK}/natGateways/ng-checkout-egress", "medium"),
        ("NAT005", f"{tooling}/{AKS}/aks-tooling-prod/agentPools/runners", "low"),
        ("NAT006", f"{analytics}/{NETWORK}/natGateways/ng-analytics-egress", "low"),
        ("NAT008", f"{NONPROD}/rg-platform-dev/{AKS}/aks-platform-dev", "medium"),
        ("NAT009", f"{PROD}/rg-checkout-prod/{NETWORK}/natGateways/ng-checkout-egress", "medium"),
        ("NAT010", f"{analytics}/{NETWORK}/natGateways/ng-analytics-egress", "info"),
        ("NAT011", telemetry, "low"),
        ("NAT012", telemetry, "medium"),
    ]


def test_correct_clusters_stay_quiet(demo: dict[str, Any]) -> None:
    """aks-payments-prod is built right (only its declared long-poll workload outlasts the NAT
    idle timeout) and aks-secure-egress has nothing to report."""
    groups = (f"{PROD}/rg-payments-prod/", f"{PROD}/rg-secure-egress-prod/")
    payments = f"{PROD}/rg-payments-prod/{AKS}/aks-payments-prod/agentPools"
    assert sorted(
        (f["ruleId"], f["resourceId"])
        for f in demo["findings"]
        if f["resourceId"].startswith(groups)
    ) == [("NAT007", f"{payments}/{pool}") for pool in ("jobs", "payments", "system")]


def test_every_graph_and_policy_rule_fires_somewhere(demo: dict[str, Any]) -> None:
    """The catalogue's promise: the demo shows every rule but the drift rules (which need a
    baseline) firing at least once; WIN001's one finding is suppressed by the demo policy."""
    ran = [r["id"] for r in demo["rules"]]
    # the whole catalogue but the drift rules
    assert ran == [rule.meta.id for rule in BUILTIN if not rule.meta.needs_baseline]
    assert {f["ruleId"] for f in demo["findings"]} == set(ran)


def test_out_of_scope_prefix_is_unknown_not_missing(demo: dict[str, Any]) -> None:
    integration = next(c for c in demo["clusters"] if c["name"] == "aks-integration-prod")
    for pool in integration["nodePools"]:
        assert pool["egress"]["kind"] == "nat-gateway"
        assert pool["egress"]["publicIps"] is None
        assert pool["egress"]["unknownIds"]
    assert demo["unknownResources"] == [pool["egress"]["unknownIds"][0]]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_two_runs_are_byte_identical(fmt: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    main(["--demo", "--format", fmt])
    first = capsysbinary.readouterr().out
    main(["--demo", "--format", fmt])
    assert capsysbinary.readouterr().out == first


def test_rules_command_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule_id in ("EGR001", "NAT007", "NET001"):
        assert rule_id in out


@pytest.mark.parametrize(
    ("fmt", "marker"), [("json", '"edges"'), ("graphml", "<graphml"), ("dot", "digraph")]
)
def test_graph_export(fmt: str, marker: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--demo", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert marker in out
    assert "aks-payments-prod" in out
