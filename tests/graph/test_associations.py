"""A NAT gateway association is recorded on both sides; when they disagree it is unknown."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.model import EgressKind
from rules import egr001, egr007, egr008
from tests import estate_builder as b
from tests.rules.cases import findings_for_rules

NODES = b.subnet_id("vnet", "nodes")
NAT = b.nat_id("ng")
OTHER_NAT = b.nat_id("ng-other")
PIP = b.pip_id("pip")


def _estate(
    *, subnet_names: str | None, nat_lists: tuple[str, ...], other_lists: tuple[str, ...] = ()
) -> b.Estate:
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet(
                    "nodes", "vnet", "10.1.0.0/16", nat=subnet_names, default_outbound_access=False
                )
            ],
        ),
        b.nat("ng", ips=(PIP,), subnets=nat_lists),
        b.nat("ng-other", ips=(PIP,), subnets=other_lists),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("np", NODES)], outbound_type="userAssignedNATGateway"),
    )


@pytest.mark.parametrize(
    ("estate", "ids", "words"),
    [
        pytest.param(
            _estate(subnet_names=None, nat_lists=(NODES,)),
            (NODES, NAT),
            "lists subnet",
            id="the NAT gateway lists the subnet, the subnet names none",
        ),
        pytest.param(
            _estate(subnet_names=NAT, nat_lists=()),
            (NODES, NAT),
            "does not list the subnet",
            id="the subnet names the NAT gateway, the NAT gateway does not list it",
        ),
        pytest.param(
            _estate(subnet_names=NAT, nat_lists=(NODES,), other_lists=(NODES,)),
            (NODES, NAT, OTHER_NAT),
            "lists it among its subnets",
            id="two NAT gateways list the subnet",
        ),
    ],
)
def test_disagreeing_records_make_the_path_unknown_naming_both(
    estate: b.Estate, ids: tuple[str, ...], words: str
) -> None:
    graph = estate.graph()
    (pool,) = [p for _, p in graph.node_pools()]
    path = graph.egress(pool)
    assert path.kind is EgressKind.UNKNOWN
    assert words in path.reason
    for resource_id in ids:
        assert resource_id in path.reason
    # Unknown, never missing: no rule says the subnet lacks its NAT gateway or egress.
    assert findings_for_rules((egr001.RULE, egr007.RULE, egr008.RULE), estate) == []


def test_agreeing_records_give_the_nat_path() -> None:
    graph = _estate(subnet_names=NAT, nat_lists=(NODES,)).graph()
    (pool,) = [p for _, p in graph.node_pools()]
    assert graph.egress(pool).kind is EgressKind.NAT_GATEWAY


def _vnet_level(vnet_side: str | None, nat_side: str | None, second: str | None = None) -> Any:
    vnet = b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16")])
    if vnet_side:
        vnet["properties"]["defaultPublicNatGateway"] = {"id": vnet_side}
    nat_extra = {"sourceVirtualNetwork": {"id": nat_side}} if nat_side else {}
    rows = [
        vnet,
        b.nat("ng", ips=(PIP,), subnets=(), sku="StandardV2", **nat_extra),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("np", NODES)], outbound_type="userAssignedNATGateway"),
    ]
    if second:
        rows.append(b.nat("ng-other", ips=(PIP,), subnets=(), sourceVirtualNetwork={"id": second}))
    graph = b.Estate().add(*rows).graph()
    (pool,) = [p for _, p in graph.node_pools()]
    return graph.egress(pool)


@pytest.mark.parametrize(
    ("vnet_side", "nat_side"),
    [(NAT, None), (None, b.vnet_id("vnet")), (NAT, b.vnet_id("vnet"))],
    ids=["defaultPublicNatGateway", "sourceVirtualNetwork", "both"],
)
def test_a_nat_gateway_of_the_whole_virtual_network(
    vnet_side: str | None, nat_side: str | None
) -> None:
    path = _vnet_level(vnet_side, nat_side)
    assert path.kind is EgressKind.NAT_GATEWAY
    assert b.texts([path.device_id]) == (NAT,)


def test_two_nat_gateways_of_one_virtual_network_are_unknown() -> None:
    path = _vnet_level(None, b.vnet_id("vnet"), second=b.vnet_id("vnet"))
    assert path.kind is EgressKind.UNKNOWN
    assert "more than one NAT gateway" in path.reason
