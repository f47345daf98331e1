from __future__ import annotations

import pytest

from auditor import arm

SUB = "00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("resource_id", "group", "resource_type", "name"),
    [
        (
            f"/subscriptions/{SUB}/resourceGroups/RG-One/providers/Microsoft.Network/"
            "virtualNetworks/vnet/subnets/snet",
            "RG-One",
            "microsoft.network/virtualnetworks/subnets",
            "snet",
        ),
        (
            f"/subscriptions/{SUB}/resourcegroups/rg/providers/Microsoft.ContainerService/"
            "managedClusters/aks/agentPools/np",
            "rg",
            "microsoft.containerservice/managedclusters/agentpools",
            "np",
        ),
        (f"/subscriptions/{SUB}/resourceGroups/rg", "rg", "", "rg"),
        (
            f"/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/rg/PROVIDERS/Microsoft.Network/natGateways/ng/",
            "rg",
            "microsoft.network/natgateways",
            "ng",
        ),
    ],
)
def test_parse(resource_id: str, group: str, resource_type: str, name: str) -> None:
    parts = arm.parse(resource_id)
    assert parts == arm.ResourceParts(SUB, group, resource_type, name)


def test_keys_ignore_case_and_trailing_slashes() -> None:
    assert arm.key("/subscriptions/S/resourceGroups/RG/") == "/subscriptions/s/resourcegroups/rg"
