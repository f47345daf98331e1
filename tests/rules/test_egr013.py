from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.fixtext import commands
from auditor.model import EgressKind
from rules import egr013
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.cases import Case, findings_for, run_case

NODES = b.subnet_id("vnet", "nodes")
AKS = b.cluster_id("aks")


def _estate(*, aci_nat: bool, aci_subnet: str = "aci") -> b.Estate:
    cluster = b.cluster("aks", [b.pool("sys", NODES)])
    h.with_properties(cluster, addonProfiles=h.virtual_nodes(aci_subnet))
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("nodes", "vnet", "10.1.0.0/24", nat=b.nat_id("ng")),
                b.subnet("aci", "vnet", "10.1.1.0/24", nat=b.nat_id("ng") if aci_nat else None),
            ],
        ),
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        cluster,
    )


CASES = [
    Case("virtual nodes on default outbound access", _estate(aci_nat=False), fails={AKS}),
    Case("virtual nodes behind the cluster's NAT gateway", _estate(aci_nat=True), passes={AKS}),
    Case(
        "a virtual-node subnet not in the snapshot is unknown, not judged",
        _estate(aci_nat=False, aci_subnet="gone"),
        passes={AKS},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr013.RULE, case)


def test_names_both_paths_and_attaches_the_nat_gateway() -> None:
    (finding,) = findings_for(egr013.RULE, CASES[0])
    assert "subnet vnet/aci" in finding.message
    assert "default outbound access" in finding.message
    assert "NAT gateway ng (20.0.0.1/32)" in finding.message
    assert commands(finding.remediation)[0].endswith(
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n aci --nat-gateway "
        + b.nat_id("ng")
    )


def test_the_path_is_in_the_egress_view() -> None:
    graph = CASES[2].estate.graph()
    (cluster,) = graph.clusters()
    path = graph.virtual_node_egress(cluster)
    assert path is not None
    assert path.is_unknown
    assert path.reason == f"subnet {b.subnet_id('vnet', 'gone')} is not in the snapshot"


def test_the_path_is_resolved_once_for_the_rule_the_view_and_egr010() -> None:
    graph = CASES[0].estate.graph()
    (cluster,) = graph.clusters()
    first = graph.virtual_node_egress(cluster)
    assert first is not None
    assert first.kind is EgressKind.DEFAULT_OUTBOUND
    assert graph.virtual_node_egress(cluster) is first


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        (None, "the ACI connector add-on is on but names no subnet (config.SubnetName)"),
        ({}, "the ACI connector add-on is on but names no subnet (config.SubnetName)"),
        (
            {"SubnetName": ""},
            "the ACI connector add-on is on but names no subnet (config.SubnetName)",
        ),
        (
            {"subnetName": None},
            "the ACI connector add-on is on but names no subnet (config.SubnetName)",
        ),
    ],
)
def test_virtual_nodes_whose_subnet_is_not_named_are_unknown_not_absent(
    config: dict[str, str] | None, reason: str
) -> None:
    estate = _estate(aci_nat=False)
    cluster_row = next(r for r in estate.rows if r["id"] == AKS)
    addon = cluster_row["properties"]["addonProfiles"]["aciConnectorLinux"]
    if config is None:
        del addon["config"]
    else:
        addon["config"] = config
    graph = estate.graph()
    (cluster,) = graph.clusters()
    path = graph.virtual_node_egress(cluster)
    assert path is not None
    assert path.is_unknown
    assert path.reason == reason
    assert not findings_for(egr013.RULE, Case("unnamed", estate))


def test_a_disabled_connector_has_no_virtual_nodes() -> None:
    estate = _estate(aci_nat=False)
    cluster_row = next(r for r in estate.rows if r["id"] == AKS)
    cluster_row["properties"]["addonProfiles"]["aciConnectorLinux"]["enabled"] = False
    graph = estate.graph()
    (cluster,) = graph.clusters()
    assert graph.virtual_node_egress(cluster) is None


def test_a_subnet_name_that_is_not_a_string_is_an_input_error() -> None:
    estate = _estate(aci_nat=False)
    cluster_row = next(r for r in estate.rows if r["id"] == AKS)
    cluster_row["properties"]["addonProfiles"]["aciConnectorLinux"]["config"] = {"SubnetName": 42}
    with pytest.raises(
        InputError, match=r"aciConnectorLinux\.config\.SubnetName: expected a string"
    ):
        estate.graph()
