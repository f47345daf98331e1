from __future__ import annotations

import pytest

from auditor import arm

SUB = "00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("resource_id", "group", "resource_type", "name", "parent"),
    [
        (
            f"/subscriptions/{SUB}/resourceGroups/RG-One/providers/Microsoft.Network/"
            "virtualNetworks/vnet/subnets/snet",
            "RG-One",
            "microsoft.network/virtualnetworks/subnets",
            "snet",
            "vnet",
        ),
        (
            f"/subscriptions/{SUB}/resourcegroups/rg/providers/Microsoft.ContainerService/"
            "managedClusters/aks/agentPools/np",
            "rg",
            "microsoft.containerservice/managedclusters/agentpools",
            "np",
            "aks",
        ),
        (f"/subscriptions/{SUB}/resourceGroups/rg", "rg", "", "rg", ""),
        (
            f"/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/rg/PROVIDERS/Microsoft.Network/natGateways/ng/",
            "rg",
            "microsoft.network/natgateways",
            "ng",
            "",
        ),
    ],
)
def test_parse(resource_id: str, group: str, resource_type: str, name: str, parent: str) -> None:
    parts = arm.parse(resource_id)
    assert parts == arm.ResourceParts(SUB, group, resource_type, name, parent)
    assert arm.ResourceId.of(resource_id).parts == parts


def test_keys_ignore_case_and_trailing_slashes() -> None:
    assert arm.key("/subscriptions/S/resourceGroups/RG/") == "/subscriptions/s/resourcegroups/rg"


def test_ids_compare_hash_and_sort_by_key_and_keep_their_spelling() -> None:
    upper = arm.ResourceId.of(f"/SUBSCRIPTIONS/{SUB}/resourceGroups/RG/")
    lower = arm.ResourceId.of(f"/subscriptions/{SUB}/resourcegroups/rg")
    assert upper == lower
    assert len({upper, lower}) == 1
    assert str(upper) == f"/SUBSCRIPTIONS/{SUB}/resourceGroups/RG/"
    other = arm.ResourceId.of(f"/subscriptions/{SUB}/resourcegroups/a")
    assert sorted([lower, other]) == [other, lower]
    assert upper != upper.text  # an ID is never equal to a string: compare keys or texts


def test_qualified_names_of_nested_resources() -> None:
    subnet = arm.ResourceId.of(
        f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/"
        "virtualNetworks/vnet/subnets/snet"
    )
    assert subnet.qualified_name() == "vnet/snet"
    assert subnet.qualified_name(" › ") == "vnet › snet"
    assert subnet.child("ipConfigurations", "c").parts.parent == "snet"


def test_an_id_table_makes_each_spelling_once() -> None:
    table = arm.IdTable()
    text = f"/subscriptions/{SUB}/resourceGroups/rg"
    assert table(text) is table(text)
    assert table.optional(None) is None
    assert table.optional("") is None
