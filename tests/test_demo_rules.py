"""The load balancer, network plugin, API server, lifecycle and policy rules on the bundled demo
estate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.cli import main
from tests import demo_expected as expected

PROD = expected.PROD_GROUPS
NONPROD = expected.NONPROD_GROUPS
AKS = expected.AKS


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    report = tmp_path_factory.mktemp("demo") / "report.json"
    assert main(["--demo", "--format", "json", "--output", str(report)]) == 1
    document: dict[str, Any] = json.loads(report.read_text())
    return document


POLICY = expected.POLICY


@pytest.mark.parametrize(
    ("rule_id", "subject", "details", "line"),
    [
        # 11 nodes (5 + 4 at the autoscaler maximum, one surge node each) × 5,000 declared
        # connections to the PSP, on one public IP: 50,000.
        (
            "NAT009",
            f"{PROD}/rg-checkout-prod/providers/Microsoft.Network/natGateways/ng-checkout-egress",
            {
                "current": "25000",
                "limit": "50000",
                "peak": "55000",
                "workload": "checkout-psp-client",
            },
            24,
        ),
        (
            "LB002",
            f"{NONPROD}/rg-edge-nonprod/{AKS}/aks-edge-nonprod",
            {
                "allocatedOutboundPorts": "1024",
                "maximumNodes": "64",
                "outboundIps": "1",
                "surgeNodes": "8",
            },
            None,
        ),
        (
            "NAT011",
            f"{PROD}/rg-telemetry-prod/{AKS}/aks-telemetry-prod",
            {"nodes": "125", "outboundIps": "1"},
            None,
        ),
        (
            "EGR010",
            f"{PROD}/rg-data-prod/{AKS}/aks-data-prod/agentPools/etl",
            {
                "allowedEgress": "20.61.24.5/32",
                "nodesPath": "azure-firewall",
                "outside": "51.124.80.0/30",
            },
            14,
        ),
        (
            "POL001",
            f"{PROD}/rg-analytics-prod/{AKS}/aks-analytics",
            {"allowedOutboundTypes": "userAssignedNATGateway"},
            29,
        ),
        (
            "POL002",
            f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet",
            {
                "expires": "2026-10-31",
                "justification": (
                    "Overlay migration booked for the October change window (CHG-2741)"
                ),
                "resourceGlob": (
                    "/subscriptions/*/resourceGroups/rg-legacy-nonprod/providers"
                    "/Microsoft.ContainerService/managedClusters/aks-legacy-kubenet"
                ),
                "suppressedRule": "NET001",
            },
            43,
        ),
    ],
)
def test_demo_details(
    demo: dict[str, Any], rule_id: str, subject: str, details: dict[str, str], line: int | None
) -> None:
    (finding,) = [
        f for f in demo["findings"] if f["ruleId"] == rule_id and f["resourceId"] == subject
    ]
    assert finding["details"] == details
    assert finding["location"] == (None if line is None else {"path": POLICY, "line": line})


def test_expired_suppression_no_longer_hides_its_finding(demo: dict[str, Any]) -> None:
    (net001,) = [f for f in demo["findings"] if f["ruleId"] == "NET001"]
    assert net001["resourceId"] == f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet"
    assert net001["suppressed"] is None
