"""Routes learned over BGP (ExpressRoute, a VPN gateway with BGP, a hub's gateway through a
peering that uses remote gateways) may carry a 0.0.0.0/0 from on-premises, which overrides the
NAT gateway; Resource Graph does not show learned routes, so the path is unknown, with the
reason. A user-defined 0.0.0.0/0 wins over BGP; a route table that disables propagation keeps
the learned routes out. Gateway rows: the Azure REST examples."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import snapshot
from auditor.graph.estate import EgressGraph
from auditor.model import Cause, EgressKind, EgressPath, ResourceKind
from tests import estate_builder as b
from tests import hub_builder as h

NODES = b.subnet_id("spoke", "nodes")


def _spoke(*, route_table: str | None = None, use_remote_gateways: bool = True) -> list[Any]:
    spoke = h.with_peerings(
        b.vnet(
            "spoke",
            [
                b.subnet(
                    "nodes", "spoke", "10.1.0.0/16", nat=b.nat_id("ng"), route_table=route_table
                )
            ],
            address_space="10.1.0.0/16",
        ),
        h.peering("hub", use_remote_gateways=use_remote_gateways),
    )
    return [
        spoke,
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("sys", NODES)]),
    ]


def _hub(gateway: dict[str, Any] | None) -> list[Any]:
    rows: list[Any] = [
        h.with_peerings(
            b.vnet(
                "hub",
                [b.subnet("GatewaySubnet", "hub", "10.100.1.0/27")],
                address_space="10.100.0.0/16",
            ),
            h.peering("spoke", allow_gateway_transit=True),
        )
    ]
    return rows + ([gateway] if gateway else [])


def _path(*rows: Any) -> EgressPath:
    graph = b.Estate().add(*rows).graph()
    ((_, pool),) = list(graph.node_pools())
    return graph.egress(pool)


EXPRESS_ROUTE = h.gateway("er-hub", "hub", kind="ExpressRoute")


@pytest.mark.parametrize(
    ("gateway", "unknown"),
    [
        (EXPRESS_ROUTE, True),  # ExpressRoute always learns routes over BGP
        (h.gateway("vpn-hub", "hub", bgp=True), True),
        (h.gateway("vpn-hub", "hub", bgp=False), False),  # static VPN: only UDRs send traffic there
        (None, False),  # a hub without a gateway: the flag is stale, nothing is learned
    ],
    ids=["expressroute", "vpn-bgp", "vpn-static", "no-gateway"],
)
def test_a_spoke_that_uses_the_hubs_gateway(gateway: dict[str, Any] | None, unknown: bool) -> None:
    path = _path(*_spoke(), *_hub(gateway))
    if unknown:
        assert path.kind is EgressKind.UNKNOWN
        assert path.cause is Cause.FORCED_TUNNELLING
        assert "forced tunnelling" in path.reason
        assert "in peered virtual network hub" in path.reason
        assert path.hop(ResourceKind.VIRTUAL_NETWORK_GATEWAY) is not None
    else:
        assert path.kind is EgressKind.NAT_GATEWAY
        assert path.public_ips == ("20.0.0.1/32",)


def test_a_peering_that_does_not_use_remote_gateways_learns_nothing() -> None:
    path = _path(*_spoke(use_remote_gateways=False), *_hub(EXPRESS_ROUTE))
    assert path.kind is EgressKind.NAT_GATEWAY


def test_disabled_route_propagation_keeps_the_nat_gateway() -> None:
    table = b.route_table("spoke-rt", [("10.0.0.0/8", "VirtualAppliance", "10.100.0.4")])
    table["properties"]["disableBgpRoutePropagation"] = True
    path = _path(*_spoke(route_table=b.route_table_id("spoke-rt")), table, *_hub(EXPRESS_ROUTE))
    assert path.kind is EgressKind.NAT_GATEWAY


def test_a_user_defined_default_route_wins_over_bgp() -> None:
    table = b.route_table("spoke-rt", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")])
    path = _path(*_spoke(route_table=b.route_table_id("spoke-rt")), table, *_hub(EXPRESS_ROUTE))
    assert path.kind is EgressKind.UDR_APPLIANCE


def test_a_gateway_in_the_spokes_own_network_counts() -> None:
    own = [
        b.vnet(
            "spoke",
            [
                b.subnet("nodes", "spoke", "10.1.0.0/24", nat=b.nat_id("ng")),
                b.subnet("GatewaySubnet", "spoke", "10.1.1.0/27"),
            ],
        ),
        h.gateway("er-own", "spoke", kind="ExpressRoute"),
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        b.cluster("aks", [b.pool("sys", NODES)]),
    ]
    path = _path(*own)
    assert path.cause is Cause.FORCED_TUNNELLING
    assert "in virtual network spoke" in path.reason


def test_an_unread_hub_is_unknown_with_its_id() -> None:
    path = _path(*_spoke())  # the hub is in a subscription out of scope
    assert path.kind is EgressKind.UNKNOWN
    assert b.texts(path.unknown_ids) == (b.vnet_id("hub"),)
    assert "not in the snapshot" in path.reason


def test_gateways_not_collected_make_a_gateway_subnet_unknown() -> None:
    rows = _spoke(use_remote_gateways=False)
    rows[0]["properties"]["subnets"].append(b.subnet("GatewaySubnet", "spoke", "10.1.255.0/27"))
    document = b.Estate().add(*rows).document()
    del document["resources"][snapshot.VIRTUAL_NETWORK_GATEWAYS]
    graph = EgressGraph.from_snapshot(snapshot.parse_document(document, "old.json"))
    ((_, pool),) = list(graph.node_pools())
    assert graph.egress(pool).cause is Cause.FORCED_TUNNELLING


def test_a_network_isolated_block_cluster_has_no_egress_even_with_a_nat_gateway() -> None:
    rows = _spoke(use_remote_gateways=False)
    rows[-1] = b.cluster("aks", [b.pool("sys", NODES)], outbound_type="block")
    path = _path(*rows)
    assert path.kind is EgressKind.NONE
    assert path.cause is Cause.BLOCKED_BY_NSG
