"""The load balancer, network plugin, API server and lifecycle rules on the bundled demo estate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.cli import main

PROD = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups"
NONPROD = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups"
AKS = "providers/Microsoft.ContainerService/managedClusters"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    report = tmp_path_factory.mktemp("demo") / "report.json"
    assert main(["--demo", "--format", "json", "--output", str(report)]) == 1
    document: dict[str, Any] = json.loads(report.read_text())
    return document


def _subjects(document: dict[str, Any], rule_id: str) -> list[str]:
    return [f["resourceId"] for f in document["findings"] if f["ruleId"] == rule_id]


@pytest.mark.parametrize(
    ("rule_id", "subjects"),
    [
        # aks-analytics leaves from its NAT gateway (20.61.40.11-12), outside its ranges;
        # aks-integration's NAT IPs are unknown and aks-secure-egress leaves through an
        # appliance: neither is judged; aks-payments' prefix is inside its ranges.
        ("API001", [f"{PROD}/rg-analytics-prod/{AKS}/aks-analytics"]),
        ("LB001", [f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet"]),
        ("LB002", []),
        ("LB003", []),
        ("NET002", [f"{NONPROD}/rg-sandbox-dev/{AKS}/aks-sandbox-dev"]),
        ("WIN001", [f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/win"]),
        ("LIFE001", [f"{NONPROD}/rg-sandbox-dev/{AKS}/aks-sandbox-dev"]),
        ("META001", []),
        ("POL001", []),
        ("POL002", []),
        ("EGR010", []),  # aks-payments leaves from its allowlisted 20.61.16.0/28
    ],
)
def test_demo_subjects(demo: dict[str, Any], rule_id: str, subjects: list[str]) -> None:
    assert _subjects(demo, rule_id) == subjects
