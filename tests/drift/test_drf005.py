from __future__ import annotations

from typing import Any

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import drf005
from tests import estate_builder as b
from tests.drift.cases import (
    CLUSTER,
    NODES,
    DriftCase,
    baseline,
    drift_findings,
    estate,
    run_drift_case,
)


def _cluster(**kwargs: Any) -> dict[str, Any]:
    return b.cluster("aks", [b.pool("sys", NODES)], **kwargs)


CASES = [
    DriftCase(
        "outbound type changed from NAT gateway to load balancer",
        baseline(cluster=_cluster()),
        estate(cluster=_cluster(outbound_type="loadBalancer")),
        expected={(CLUSTER, "outboundType"): ("userAssignedNATGateway", "loadBalancer")},
        severities={(CLUSTER, "outboundType"): Severity.HIGH},
    ),
    DriftCase(
        "kubenet migrated to Azure CNI Overlay",
        baseline(cluster=_cluster(plugin="kubenet", plugin_mode=None)),
        estate(cluster=_cluster()),
        expected={(CLUSTER, "networkPlugin"): ("kubenet", "azure overlay")},
        severities={(CLUSTER, "networkPlugin"): Severity.MEDIUM},
    ),
    DriftCase(
        "Azure CNI to Overlay is a plugin mode change",
        baseline(cluster=_cluster(plugin_mode=None)),
        estate(cluster=_cluster()),
        expected={(CLUSTER, "networkPlugin"): ("azure", "azure overlay")},
    ),
    DriftCase(
        "both at once: two findings on the cluster",
        baseline(
            cluster=_cluster(plugin="kubenet", plugin_mode=None, outbound_type="loadBalancer")
        ),
        estate(cluster=_cluster()),
        expected={
            (CLUSTER, "outboundType"): ("loadBalancer", "userAssignedNATGateway"),
            (CLUSTER, "networkPlugin"): ("kubenet", "azure overlay"),
        },
    ),
    DriftCase(
        "casing of the value is not a change",
        baseline(cluster=_cluster(outbound_type="userassignednatgateway", plugin="Azure")),
        estate(cluster=_cluster()),
        passes={CLUSTER},
    ),
    DriftCase(
        "from a preview type spelled in lower case",
        baseline(cluster=_cluster(outbound_type="managednatgatewayv2")),
        estate(cluster=_cluster()),
        expected={(CLUSTER, "outboundType"): ("managednatgatewayv2", "userAssignedNATGateway")},
    ),
    DriftCase(
        "from block, which the Azure CLI cannot set",
        baseline(cluster=_cluster(outbound_type="block")),
        estate(cluster=_cluster()),
        expected={(CLUSTER, "outboundType"): ("block", "userAssignedNATGateway")},
    ),
    DriftCase("identical estates", baseline(), estate(), passes={CLUSTER}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: DriftCase) -> None:
    run_drift_case(drf005.RULE, case)


def test_outbound_type_message_and_command() -> None:
    (finding,) = drift_findings(drf005.RULE, CASES[0])
    assert finding.message.startswith(
        "Cluster aks changed its outbound type from userAssignedNATGateway to loadBalancer."
    )
    assert finding.observed == "loadBalancer"
    assert finding.expected == "userAssignedNATGateway"
    assert finding.remediation.startswith(
        f"If it was not intended, restore it: `az aks update -g {b.RG} -n aks "
        "--outbound-type userAssignedNATGateway`. "
    )


def test_an_unset_outbound_type_is_unknown_not_a_change() -> None:
    before = baseline(cluster=_cluster())
    del before.rows[-1]["properties"]["networkProfile"]["outboundType"]
    case = DriftCase("unset", before, estate(cluster=_cluster(outbound_type="loadBalancer")))
    assert drift_findings(drf005.RULE, case) == []


def test_the_restore_command_sets_the_type_as_the_azure_cli_takes_it() -> None:
    (v2,) = drift_findings(drf005.RULE, CASES[5])
    assert commands(v2.remediation) == [
        f"az aks update -g {b.RG} -n aks --outbound-type managedNATGateway "
        "--outbound-type-sku StandardV2"
    ]
    assert "--outbound-type-sku StandardV2` (Azure CLI 2.91.0 or later)." in v2.remediation
    (block,) = drift_findings(drf005.RULE, CASES[6])
    assert commands(block.remediation) == []
    assert "restore block as AKS documents for that type" in block.remediation
