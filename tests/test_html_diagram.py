"""The egress path drawings of the HTML report: which boxes each kind of path draws."""

from __future__ import annotations

import itertools

import pytest

from auditor.arm import ResourceId
from auditor.model import EgressKind, EgressPath, Hop, ResourceKind
from reports import _diagram

NET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"
SUBNET = ResourceId.of(f"{NET}/virtualNetworks/v/subnets/s")
TABLE = ResourceId.of(f"{NET}/routeTables/rt")
NAT = ResourceId.of(f"{NET}/natGateways/ng")
SUBNET_HOP = Hop(ResourceKind.SUBNET, SUBNET)


def _path(kind: EgressKind, **fields: object) -> EgressPath:
    return EgressPath(kind, **{"subnet_id": SUBNET, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            _path(
                EgressKind.UDR_APPLIANCE,
                hops=(
                    SUBNET_HOP,
                    Hop(ResourceKind.ROUTE_TABLE, TABLE),
                    Hop(ResourceKind.APPLIANCE, address="10.0.0.4"),
                ),
                public_ips=None,
                next_hop_ip="10.0.0.4",
            ),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("route", ("rt", "0.0.0.0/0 → appliance")),
                ("fw", ("10.0.0.4", "virtual appliance")),
                ("beyond", ("decided beyond", "the next hop")),
            ],
            id="firewall",
        ),
        pytest.param(
            _path(EgressKind.BLACKHOLE, hops=(SUBNET_HOP, Hop(ResourceKind.ROUTE_TABLE, TABLE))),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("danger", ("rt", "0.0.0.0/0 → None")),
                ("danger", ("0.0.0.0/0 → None", "no internet egress")),
            ],
            id="blackhole",
        ),
        pytest.param(
            _path(
                EgressKind.UNKNOWN,
                hops=(SUBNET_HOP, Hop(ResourceKind.NAT_GATEWAY, NAT)),
                unknown_ids=(NAT,),
            ),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("unknown", ("ng", "not in the snapshot")),
                ("unknown", ("unknown", "a hop was not read")),
            ],
            id="unread-nat",
        ),
        pytest.param(
            _path(EgressKind.UNKNOWN, subnet_id=None, hops=(SUBNET_HOP,), unknown_ids=(SUBNET,)),
            [
                ("pool", ("a",)),
                ("unknown", ("s", "not in the snapshot")),
                ("unknown", ("unknown", "a hop was not read")),
            ],
            id="unread-subnet",
        ),
        pytest.param(
            _path(EgressKind.LOAD_BALANCER, hops=(SUBNET_HOP,), idle_timeout_minutes=30),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("lb", ("outbound rules", "idle 30 min")),
                ("danger", ("none attached", "no internet egress")),
            ],
            id="lb-without-ips",
        ),
    ],
)
def test_diagram_boxes(path: EgressPath, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    drawing = _diagram.draw(path, ["a"], pods=False)
    assert [(b.kind, b.lines) for b in drawing.boxes] == expected
    assert [(a.x1, a.x2) for a in drawing.arrows] == [
        (b.x + _diagram.BOX_WIDTH, n.x) for b, n in itertools.pairwise(drawing.boxes)
    ]


def test_long_names_are_shortened_with_the_full_text_as_tooltip() -> None:
    pools = [f"pool-{i:02d}-with-a-rather-long-name" for i in range(6)]
    drawing = _diagram.draw(_path(EgressKind.NONE, hops=(SUBNET_HOP,)), pools, pods=True)
    first = drawing.boxes[0]
    assert first.title == "PODS OF NODE POOLS"
    assert first.lines == (
        "pool-00-with-a-rather-…",
        "pool-01-with-a-rather-…",
        "pool-02-with-a-rather-…",
        "+3 more",
    )
    assert first.tip == "\n".join(pools)
