"""The benchmarks' fakes keep up with what egress-audit reads: the collection benchmark's
Resource Graph fake answers every type the collector asks for (a type it lacks once made the
benchmark crash), with the shares of its rows adding up to the whole."""

from __future__ import annotations

import math

from auditor.collect.collector import CHANGES
from auditor.snapshot import RESOURCE_TYPES
from benchmarks.collect import SHARES, Estate


def test_the_collection_fake_answers_every_type_collected() -> None:
    assert set(SHARES) == {*RESOURCE_TYPES, CHANGES}
    assert math.isclose(sum(SHARES.values()), 1.0)


def test_every_type_has_rows_in_the_default_estate() -> None:
    subscriptions = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(50)]
    estate = Estate(subscriptions, 40_000)
    for table in SHARES:
        assert estate.rows(table, tuple(subscriptions)), table
