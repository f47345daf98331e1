"""Suppressions are indexed: many suppressions over a large estate cost IDs plus suppressions,
not their product (3,000 suppressions matching nothing took minutes before)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import random
import re

import pytest

from auditor import arm, suppress
from auditor.arm import ResourceId
from auditor.graph.estate import EgressGraph
from auditor.model import Finding, Severity, Suppression
from tests import estate_builder as b

TODAY = dt.date(2026, 11, 20)


class _Counting:
    """A compiled glob that counts how often it is tried."""

    tries = 0

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def match(self, text: str) -> re.Match[str] | None:
        _Counting.tries += 1
        return self.pattern.match(text)


@pytest.fixture
def tries(monkeypatch: pytest.MonkeyPatch) -> type[_Counting]:
    def counting(glob: str) -> _Counting:
        return _Counting(re.compile(fnmatch.translate(arm.key(glob))))

    monkeypatch.setattr(suppress, "_pattern", counting)
    _Counting.tries = 0
    return _Counting


def _graph(clusters: int) -> EgressGraph:
    estate = b.Estate()
    for number in range(clusters):
        estate.add(b.cluster(f"aks-{number}", [b.pool("sys"), b.pool("user")]))
    return EgressGraph.from_snapshot(estate.snapshot())


def _suppression(glob: str, rule: str = "NET001") -> Suppression:
    return Suppression(rule, glob, "accepted", "2027-01-31")


def test_thousands_of_suppressions_that_match_nothing_are_not_tried_on_every_id(
    tries: type[_Counting],
) -> None:
    graph = _graph(300)  # 900 resources
    suppressions = [
        _suppression(
            f"/subscriptions/*/resourceGroups/rg-gone/providers/Microsoft.ContainerService/managedClusters/aks-gone-{n}"
        )
        for n in range(3000)
    ]
    warnings = suppress.unmatched_warnings(graph, suppressions, [])
    assert len(warnings) == 3000
    assert tries.tries == 0  # the name segment occurs in no ID: never tried


def test_globs_are_tried_only_on_ids_sharing_their_rarest_literal_segment(
    tries: type[_Counting],
) -> None:
    graph = _graph(300)
    ids = list(suppress.estate_resource_ids(graph))
    suppressions = [
        *(_suppression(f"*/managedClusters/aks-{n}/agentPools/*") for n in range(0, 300, 3)),
        *(_suppression(f"/subscriptions/*/resourceGroups/{b.RG}/*/aks-{n}") for n in range(500)),
        _suppression("*aks-1*"),  # no literal segment: tried on IDs until it matches
    ]
    warnings = suppress.unmatched_warnings(graph, suppressions, [])
    assert len(warnings) == 200  # aks-300 … aks-499 do not exist
    assert tries.tries <= len(ids) + 2 * len(suppressions)


def test_the_index_agrees_with_matching_every_glob_on_every_id() -> None:
    keys = [
        arm.key(b.pool_id(f"aks-{c}", p, rg=f"rg-{c % 3}")) for c in range(20) for p in ("a", "b")
    ] + [arm.key(b.cluster_id(f"aks-{c}", rg=f"rg-{c % 3}")) for c in range(20)]
    pieces = ["*", "?", "/", "aks-1", "agentpools", "rg-2", "a", "[ab]", "managedclusters", "x"]
    rng = random.Random(14)  # noqa: S311 — a reproducible mix, not a secret
    globs = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(400)]
    globs += [keys[3], keys[3].upper(), "*", "*/agentpools/a", "/subscriptions/*/rg-1/*"]
    index = suppress.GlobIndex(globs, suppress.segment_frequency(keys))
    for key in keys:
        expected = {i for i, g in enumerate(globs) if fnmatch.fnmatchcase(key, arm.key(g))}
        assert set(index.matching(key)) == expected, key


def test_apply_picks_the_first_matching_suppression_in_file_order(tries: type[_Counting]) -> None:
    pools = [b.pool_id(f"aks-{n}", "sys") for n in range(2000)]
    findings = [Finding("NET001", Severity.HIGH, ResourceId.of(p), "kubenet") for p in pools]
    suppressions = [
        *(_suppression(f"*/managedClusters/aks-{n}/agentPools/none") for n in range(3000)),
        _suppression("*/managedClusters/aks-7/agentPools/sys", rule="WIN001"),
        _suppression("*/managedClusters/aks-7/*"),
        _suppression(pools[7].upper()),
    ]
    marked = suppress.apply(findings, suppressions, TODAY)
    assert [f.resource_id.text for f in marked if f.suppression is not None] == [pools[7]]
    assert marked[7].suppression is suppressions[-2]
    assert tries.tries <= 2 * len(findings)
