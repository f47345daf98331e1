"""A shared small network for rule cases: one VNet with a NAT subnet, a bare and a private one."""

from __future__ import annotations

from typing import Any

from tests import estate_builder as b

NAT = b.nat_id("ng")
GOOD = b.subnet_id("vnet", "good")
BARE = b.subnet_id("vnet", "bare")
PRIVATE = b.subnet_id("vnet", "private")


def network(*rows: dict[str, Any]) -> b.Estate:
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("good", "vnet", "10.1.0.0/16", nat=NAT),
                b.subnet("bare", "vnet", "10.2.0.0/16"),
                b.subnet("private", "vnet", "10.3.0.0/16", default_outbound_access=False),
            ],
        ),
        b.nat("ng", ips=(b.pip_id("pip"),), subnets=(GOOD,)),
        b.public_ip("pip", "20.0.0.1"),
        *rows,
    )


def add_subnets(estate: b.Estate, *subnets: dict[str, Any]) -> b.Estate:
    """Add subnets to the shared VNet `vnet` of an estate built by `network`."""
    vnet = next(r for r in estate.rows if r["id"] == b.vnet_id("vnet"))
    vnet["properties"]["subnets"].extend(subnets)
    return estate


def managed_nat_cluster(
    name: str,
    pools: list[dict[str, Any]],
    *,
    profile: dict[str, Any] | None = None,
    ips: int = 1,
    **nat: Any,
) -> list[dict[str, Any]]:
    """A managedNATGateway cluster with what AKS creates in its node resource group: the
    `aks-vnet-*` VNet with `aks-subnet`, the NAT gateway `aks-nat-gateway` and its IPs."""
    group = f"MC_{b.RG}_{name}_westeurope"
    subnet = b.subnet_id(f"aks-vnet-{name}", "aks-subnet", rg=group)
    nat_id = b.nat_id("aks-nat-gateway", rg=group)
    addresses = [
        b.public_ip(f"{name}-ip{i}", f"20.9.{len(name)}.{i + 1}", rg=group) for i in range(ips)
    ]
    return [
        b.vnet(
            f"aks-vnet-{name}",
            [b.subnet("aks-subnet", f"aks-vnet-{name}", "10.224.0.0/16", nat=nat_id, rg=group)],
            rg=group,
        ),
        b.nat(
            "aks-nat-gateway",
            ips=tuple(row["id"] for row in addresses),
            subnets=(subnet,),
            rg=group,
            **nat,
        ),
        *addresses,
        b.cluster(name, pools, outbound_type="managedNATGateway", nat_gateway_profile=profile),
    ]


FIREWALLED = b.subnet_id("vnet", "firewalled")


def firewalled_network(*rows: dict[str, Any]) -> b.Estate:
    """`network` plus subnet `firewalled`, whose route table sends 0.0.0.0/0 to a firewall."""
    return add_subnets(
        network(b.route_table("fw", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")]), *rows),
        b.subnet("firewalled", "vnet", "10.4.0.0/16", route_table=b.route_table_id("fw")),
    )
