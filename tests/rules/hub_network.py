"""A hub-and-spoke estate for the firewall, forced-tunnelling and gateway rules: a hub with an
Azure Firewall (rows from the Azure REST examples, see tests/hub_builder.py) and spokes whose
route tables send 0.0.0.0/0 to it."""

from __future__ import annotations

from typing import Any

from tests import estate_builder as b
from tests import hub_builder as h

SPOKE = b.subnet_id("spoke", "nodes")
SPOKE_TWO = b.subnet_id("spoke", "nodes-two")
FIREWALL = h.firewall_id("fw-hub")
FIREWALL_IP = "10.100.0.4"


def hub_and_spoke(
    *rows: Any,
    firewall_ips: int = 2,
    firewall_nat: bool = False,
    policy: str | None = None,
    spoke_rows: tuple[Any, ...] = (),
) -> b.Estate:
    """`rows` add clusters and whatever else the case needs. The firewall has `firewall_ips`
    public IPs, and a NAT gateway on its subnet when `firewall_nat`."""
    ips = tuple(f"fw-pip-{i}" for i in range(firewall_ips))
    firewall_subnet = b.subnet(
        "AzureFirewallSubnet",
        "hub",
        "10.100.0.0/26",
        nat=b.nat_id("ng-fw") if firewall_nat else None,
    )
    return b.Estate().add(
        b.vnet("hub", [firewall_subnet], address_space="10.100.0.0/16"),
        b.vnet(
            "spoke",
            [
                b.subnet("nodes", "spoke", "10.1.0.0/24", route_table=b.route_table_id("to-fw")),
                b.subnet(
                    "nodes-two", "spoke", "10.1.1.0/24", route_table=b.route_table_id("to-fw")
                ),
                *spoke_rows,
            ],
            peered_with=(b.vnet_id("hub"),),
            address_space="10.1.0.0/16",
        ),
        b.route_table("to-fw", [("0.0.0.0/0", "VirtualAppliance", FIREWALL_IP)]),
        h.firewall("fw-hub", "hub", FIREWALL_IP, ips, policy=policy),
        *(b.public_ip(ip, f"20.50.0.{i + 1}") for i, ip in enumerate(ips)),
        b.nat("ng-fw", ips=(b.pip_id("fw-nat-ip"),)),
        b.public_ip("fw-nat-ip", "20.60.0.1"),
        *rows,
    )
