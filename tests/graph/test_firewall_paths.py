"""A 0.0.0.0/0 route whose next hop is an Azure Firewall leaves from the firewall's public IPs,
or from the NAT gateway of its AzureFirewallSubnet; a hub firewall from the addresses its row
lists; a forced-tunnelled firewall from addresses beyond it. Rows: the Azure REST examples."""

from __future__ import annotations

from typing import Any

from auditor import snapshot
from auditor.graph.estate import EgressGraph
from auditor.model import EgressKind, EgressPath, ResourceKind
from tests import estate_builder as b
from tests import hub_builder as h

SPOKE = b.subnet_id("spoke", "nodes")
FIREWALL = h.firewall_id("fw-hub")
FIREWALL_SUBNET = b.subnet_id("hub", "AzureFirewallSubnet")


def _hub(*, firewall_subnet: dict[str, Any] | None = None, peered: bool = True) -> list[Any]:
    return [
        b.vnet(
            "hub",
            [
                firewall_subnet or b.subnet("AzureFirewallSubnet", "hub", "10.100.0.0/26"),
                b.subnet("AzureFirewallManagementSubnet", "hub", "10.100.0.64/26"),
            ],
            address_space="10.100.0.0/16",
        ),
        b.vnet(
            "spoke",
            [b.subnet("nodes", "spoke", "10.1.0.0/16", route_table=b.route_table_id("to-fw"))],
            peered_with=(b.vnet_id("hub"),) if peered else (),
            address_space="10.1.0.0/16",
        ),
        b.route_table("to-fw", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")]),
        b.cluster("aks", [b.pool("sys", SPOKE)], outbound_type="userDefinedRouting"),
    ]


def _path(*rows: Any) -> EgressPath:
    graph = b.Estate().add(*rows).graph()
    ((_, pool),) = list(graph.node_pools())
    return graph.egress(pool)


def test_the_firewall_leaves_from_its_public_ips() -> None:
    path = _path(
        *_hub(),
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1", "fw-pip-2")),
        b.public_ip("fw-pip-1", "20.50.0.1"),
        b.public_ip("fw-pip-2", "20.50.0.2"),
    )
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips == ("20.50.0.1/32", "20.50.0.2/32")
    assert path.device_id is not None
    assert path.device_id.text == FIREWALL
    assert path.hop(ResourceKind.AZURE_FIREWALL) == path.device_id
    assert path.next_hop_ip == "10.100.0.4"
    assert "Azure Firewall fw-hub (20.50.0.1/32, 20.50.0.2/32)" in path.describe()


def test_a_nat_gateway_on_the_firewall_subnet_takes_over_its_egress() -> None:
    nat_subnet = b.subnet("AzureFirewallSubnet", "hub", "10.100.0.0/26", nat=b.nat_id("ng-fw"))
    path = _path(
        *_hub(firewall_subnet=nat_subnet),
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",)),
        b.public_ip("fw-pip-1", "20.50.0.1"),
        b.nat("ng-fw", prefixes=(b.prefix_id("fw-prefix"),)),
        b.public_ip_prefix("fw-prefix", "20.60.0.0/30"),
    )
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips == ("20.60.0.0/30",)  # not the firewall's own 20.50.0.1
    assert path.hop(ResourceKind.NAT_GATEWAY) is not None
    assert path.hop(ResourceKind.SUBNET) is not None
    assert b.texts(path.hop_ids)[-3:] == (
        FIREWALL_SUBNET,
        b.nat_id("ng-fw"),
        b.prefix_id("fw-prefix"),
    )


def test_a_firewall_the_route_cannot_reach_is_no_match() -> None:
    path = _path(
        *_hub(peered=False),
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",)),
        b.public_ip("fw-pip-1", "20.50.0.1"),
    )
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.public_ips is None


def test_an_unread_firewall_public_ip_is_unknown_never_absent() -> None:
    path = _path(*_hub(), h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",)))
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips is None
    assert b.texts(path.unknown_ids) == (b.pip_id("fw-pip-1"),)


def test_a_forced_tunnelled_firewall_leaves_beyond_its_next_hop() -> None:
    tunnelled = b.subnet(
        "AzureFirewallSubnet", "hub", "10.100.0.0/26", route_table=b.route_table_id("fw-out")
    )
    path = _path(
        *_hub(firewall_subnet=tunnelled),
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",), management=True),
        b.public_ip("fw-pip-1", "20.50.0.1"),
        b.route_table("fw-out", [("0.0.0.0/0", "VirtualNetworkGateway", None)]),
    )
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips is None
    assert "forced-tunnelled" in path.reason


def test_a_management_ip_configuration_alone_keeps_the_public_ips() -> None:
    path = _path(
        *_hub(),
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",), management=True),
        b.public_ip("fw-pip-1", "20.50.0.1"),
    )
    assert path.public_ips == ("20.50.0.1/32",)


def test_a_hub_firewall_leaves_from_the_addresses_its_row_lists() -> None:
    path = _path(*_hub(), h.hub_firewall("fw-vwan", "10.100.0.4", ("13.73.240.12", "13.73.240.13")))
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips == ("13.73.240.12/32", "13.73.240.13/32")
    assert "virtual hub hub-weu" in path.reason


def test_a_hub_firewall_with_addresses_missing_from_its_row_is_unknown() -> None:
    path = _path(*_hub(), h.hub_firewall("fw-vwan", "10.100.0.4", ("13.73.240.12",), count=3))
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips is None
    assert "does not list all its public addresses" in path.reason


def test_two_hub_firewalls_with_the_address_are_ambiguous() -> None:
    path = _path(
        *_hub(),
        h.hub_firewall("fw-a", "10.100.0.4", ("13.73.240.12",)),
        {**h.hub_firewall("fw-b", "10.100.0.4", ("13.73.240.99",))},
    )
    assert path.kind is EgressKind.UNKNOWN
    assert "several Azure Firewalls" in path.reason


def test_a_snapshot_without_firewalls_says_they_were_not_read() -> None:
    document = b.Estate().add(*_hub()).document()
    del document["resources"][snapshot.AZURE_FIREWALLS]
    graph = EgressGraph.from_snapshot(snapshot.parse_document(document, "old.json"))
    ((_, pool),) = list(graph.node_pools())
    path = graph.egress(pool)
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.reason.endswith("Azure Firewalls were not collected")


def test_the_rows_keep_the_rest_api_shape() -> None:
    row = h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",))
    assert row["type"] == snapshot.AZURE_FIREWALLS
    assert row["properties"]["sku"] == {"name": "AZFW_VNet", "tier": "Standard"}
    assert row["properties"]["threatIntelMode"] == "Alert"  # untouched example content


def _ecmp(*rows: Any) -> EgressPath:
    """The spoke's 0.0.0.0/0 spread across two firewalls (route shape of the REST example
    RouteTableCreateWithEcmpRoute: `nextHopType` VirtualApplianceEcmp, the addresses in
    `nextHop.nextHopIpAddresses`)."""
    hub = _hub()
    table = b.route_table("to-fw", [("0.0.0.0/0", "VirtualApplianceEcmp", None)])
    table["properties"]["routes"][0]["properties"]["nextHop"] = {
        "nextHopIpAddresses": ["10.100.0.4", "10.100.0.5"]
    }
    hub[2] = table
    return _path(*hub, *rows)


def test_an_ecmp_route_leaves_from_every_appliance_it_spreads_over() -> None:
    path = _ecmp(
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",)),
        h.firewall("fw-two", "hub", "10.100.0.5", ("fw-pip-2",)),
        b.public_ip("fw-pip-1", "20.50.0.1"),
        b.public_ip("fw-pip-2", "20.50.0.2"),
    )
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips == ("20.50.0.1/32", "20.50.0.2/32")
    assert path.next_hop_ip == "10.100.0.4, 10.100.0.5"
    assert "equal-cost multipath" in path.reason


def _ecmp_halves(low: list[str], high: list[str]) -> EgressPath:
    """The internet split into 0.0.0.0/1 and 128.0.0.0/1, each half spread by equal-cost
    multipath over its own list of appliances, both firewalls known with their addresses."""
    hub = _hub()
    table = b.route_table(
        "to-fw",
        [
            ("0.0.0.0/1", "VirtualApplianceEcmp", None),
            ("128.0.0.0/1", "VirtualApplianceEcmp", None),
        ],
    )
    for route, appliances in zip(table["properties"]["routes"], (low, high), strict=True):
        route["properties"]["nextHop"] = {"nextHopIpAddresses": appliances}
    hub[2] = table
    return _path(
        *hub,
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",)),
        h.firewall("fw-two", "hub", "10.100.0.5", ("fw-pip-2",)),
        b.public_ip("fw-pip-1", "20.50.0.1"),
        b.public_ip("fw-pip-2", "20.50.0.2"),
    )


def test_ecmp_halves_over_the_same_appliances_in_any_order_are_one_path() -> None:
    path = _ecmp_halves(["10.100.0.4", "10.100.0.5"], ["10.100.0.5", "10.100.0.4"])
    assert path.kind is EgressKind.AZURE_FIREWALL
    assert path.public_ips == ("20.50.0.1/32", "20.50.0.2/32")


def test_ecmp_halves_over_different_appliances_are_not_read_as_the_first_half() -> None:
    # Each half of the internet leaves from its own firewall: naming only the first half's
    # address as the pool's egress would be confidently wrong for the other half.
    path = _ecmp_halves(["10.100.0.4"], ["10.100.0.5"])
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.public_ips is None
    assert path.next_hop_ip == "10.100.0.4"
    assert "0.0.0.0/1 → VirtualApplianceEcmp 10.100.0.4" in path.reason
    assert "128.0.0.0/1 → VirtualApplianceEcmp 10.100.0.5" in path.reason
    assert "20.50.0.1/32" not in path.describe()


def test_an_ecmp_route_with_an_appliance_of_unknown_addresses_is_unknown() -> None:
    path = _ecmp(
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip-1",)),
        b.public_ip("fw-pip-1", "20.50.0.1"),
    )
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.public_ips is None
    assert "virtual appliance 10.100.0.5" in path.reason
