"""Node and surge counts of the capacity rules (rules/_nodes.py)."""

from __future__ import annotations

import dataclasses

import pytest

from rules._nodes import surge_nodes
from tests import estate_builder as b


@pytest.mark.parametrize(
    ("max_surge", "base", "expected"),
    [
        ("3", 10, 3),
        ("33%", 10, 4),  # rounded up, as AKS does
        ("10%", 1, 1),
        (None, 10, 1),  # unset: the documented one buffer node
        ("1e400%", 10, 1),  # not a whole number or percentage: the default
        ("-5", 10, 1),
    ],
)
def test_surge(max_surge: str | None, base: int, expected: int) -> None:
    pool = next(p for _, p in b.Estate().add(b.cluster("aks", [b.pool("np")])).graph().node_pools())
    assert surge_nodes(dataclasses.replace(pool, max_surge=max_surge), base) == expected
