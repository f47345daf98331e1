"""A synthetic estate of N clusters in Resource Graph row shape, for the benchmarks.

Each cluster brings ten rows, as DESIGN.md assumes (10,000 clusters ≈ 100,000 rows): the
cluster (two node pools), its VNet with two subnets, a NAT gateway with a public IP and a
prefix, a route table, the AKS load balancer with its outbound IP, and two change-history
rows. Every fifth cluster has a pool in a subnet without the NAT gateway, every seventh is
kubenet. The clusters are spread over 50 subscriptions unless told otherwise.

    python -m benchmarks.estate CLUSTERS FILE [SUBSCRIPTIONS]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests import estate_builder as b

SUBSCRIPTIONS = 50


def build(clusters: int, subscriptions: int = SUBSCRIPTIONS) -> dict[str, Any]:
    estate = b.Estate()
    for i in range(clusters):
        sub = f"{i % subscriptions:08d}-0000-4000-8000-000000000000"
        rg = f"rg-{i:05d}"
        name = f"aks-{i:05d}"
        vnet = f"vnet-{i:05d}"
        nodes = b.subnet_id(vnet, "nodes", rg, sub)
        extra = b.subnet_id(vnet, "extra", rg, sub)
        nat = b.nat_id(f"ng-{i:05d}", rg, sub)
        route_table = b.route_table_id(f"rt-{i:05d}", rg, sub)
        estate.add(
            b.vnet(
                vnet,
                [
                    b.subnet("nodes", vnet, "10.1.0.0/16", nat=nat, rg=rg, sub=sub),
                    b.subnet("extra", vnet, "10.2.0.0/16", route_table=route_table, rg=rg, sub=sub),
                ],
                rg=rg,
                sub=sub,
            ),
            b.nat(
                f"ng-{i:05d}",
                ips=(b.pip_id(f"pip-{i:05d}", rg, sub),),
                prefixes=(b.prefix_id(f"pfx-{i:05d}", rg, sub),),
                subnets=(nodes,),
                rg=rg,
                sub=sub,
            ),
            b.public_ip(
                f"pip-{i:05d}", f"20.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}", rg=rg, sub=sub
            ),
            b.public_ip_prefix(
                f"pfx-{i:05d}",
                f"40.{i // 4096 % 256}.{i // 16 % 256}.{i % 16 * 16}/28",
                rg=rg,
                sub=sub,
            ),
            b.route_table(
                f"rt-{i:05d}", [("10.244.0.0/24", "VirtualAppliance", "10.1.0.4")], rg=rg, sub=sub
            ),
            b.public_ip(
                f"pip-lb-{i:05d}",
                f"30.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                rg=f"MC_{rg}",
                sub=sub,
            ),
            b.load_balancer(
                "kubernetes",
                {"fe": b.pip_id(f"pip-lb-{i:05d}", f"MC_{rg}", sub)},
                [("aksOutboundRule", ["fe"], 30)],
                rg=f"MC_{rg}",
                sub=sub,
            ),
            b.cluster(
                name,
                [
                    b.pool("system", nodes),
                    b.pool("user", extra if i % 5 == 0 else nodes, mode="User"),
                ],
                rg=rg,
                sub=sub,
                plugin="kubenet" if i % 7 == 0 else "azure",
            ),
        )
        estate.changes.extend(_change(nat, i, n) for n in range(2))
    return estate.document()


def _change(target: str, i: int, n: int) -> dict[str, Any]:
    return {
        "id": f"{target}/providers/Microsoft.Resources/changes/{i:05d}{n}",
        "name": f"{i:05d}{n}",
        "type": "microsoft.resources/changes",
        "subscriptionId": target.split("/")[2],
        "properties": {
            "targetResourceId": target.lower(),
            "targetResourceType": "microsoft.network/natgateways",
            "changeType": "Update",
            "changeAttributes": {
                "changedBy": "ops@example.com",
                "changedByType": "User",
                "clientType": "Azure CLI",
                "operation": "Microsoft.Network/natGateways/write",
                "timestamp": f"2026-11-{10 + n:02d}T08:00:00Z",
            },
            "changes": {"properties.idleTimeoutInMinutes": {"previousValue": "4", "newValue": "4"}},
        },
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"estate-{count}.json")
    spread = int(sys.argv[3]) if len(sys.argv) > 3 else SUBSCRIPTIONS
    document = build(count, spread)
    target.write_text(json.dumps(document, indent=1))
    rows = sum(len(rows) for rows in document["resources"].values()) + len(document["changes"])
    print(target, rows)
