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
