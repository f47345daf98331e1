"""The policy's selector index answers exactly what trying every selector on every cluster
answers: the same entries, in file order, for exact and wildcard IDs, resource groups, tags and
their combinations; and a cluster read again with other tags (a baseline's) gets its own
answer."""

from __future__ import annotations

import itertools

from auditor.arm import ResourceId
from auditor.graph.nodes import Cluster
from auditor.policy import ClusterPolicy, ClusterSelector, Policy
from tests import estate_builder as b


def _cluster(name: str, rg: str, tags: dict[str, str] | None = None) -> Cluster:
    return Cluster(
        id=ResourceId.of(b.cluster_id(name, rg)),
        name=name,
        subscription_id=b.SUB,
        resource_group=rg,
        location="westeurope",
        tags=tags or {},
    )


CLUSTERS = [
    _cluster("aks-a", "rg-prod", {"env": "prod", "team": "net"}),
    _cluster("aks-b", "RG-Prod", {"env": "dev"}),
    _cluster("AKS-C", "rg-dev"),
    _cluster("aks-d", "rg-prod-eu", {"env": "prod"}),
    _cluster("other", "rg-[x]", {"Env": "prod"}),
]

SELECTORS = [
    ClusterSelector(id_glob=b.cluster_id("aks-a", "rg-prod").upper()),
    ClusterSelector(id_glob=b.cluster_id("aks-c", "rg-dev")),
    ClusterSelector(id_glob="*/managedClusters/aks-*"),
    ClusterSelector(id_glob="*/managedclusters/aks-?"),
    ClusterSelector(resource_group_glob="rg-prod"),
    ClusterSelector(resource_group_glob="RG-PROD*"),
    ClusterSelector(resource_group_glob="rg-[x]"),
    ClusterSelector(resource_group_glob="rg-[[]x]"),
    ClusterSelector(tags={"env": "prod"}),
    ClusterSelector(tags={"env": "prod", "team": "net"}),
    ClusterSelector(tags={"env": "Prod"}),
    ClusterSelector(id_glob=b.cluster_id("aks-a", "rg-prod"), tags={"env": "dev"}),
    ClusterSelector(resource_group_glob="rg-prod", tags={"env": "prod"}),
    ClusterSelector(id_glob="*", resource_group_glob="rg-dev"),
    ClusterSelector(id_glob="*aks-d", tags={"env": "prod"}),
]


def _policy(selectors: list[ClusterSelector]) -> Policy:
    return Policy(clusters=tuple(ClusterPolicy(selector=s) for s in selectors))


def test_the_index_finds_what_every_selector_tried_finds() -> None:
    for count in (1, 2, 3):
        for chosen in itertools.combinations(SELECTORS, count):
            policy = _policy([*chosen, *chosen])  # repeated entries keep their order
            for cluster in CLUSTERS:
                expected = [e for e in policy.clusters if e.selector.matches(cluster)]
                assert policy.for_cluster(cluster) == expected
                assert policy.for_cluster(cluster) == expected  # asked again
            unmatched = [
                i
                for i, entry in enumerate(policy.clusters)
                if not any(entry.selector.matches(c) for c in CLUSTERS)
            ]
            assert policy.unmatched_entries(CLUSTERS) == unmatched


def test_a_cluster_read_again_with_other_tags_gets_its_own_entries() -> None:
    policy = _policy([ClusterSelector(tags={"env": "prod"})])
    now = _cluster("aks-a", "rg-prod", {"env": "prod"})
    before = _cluster("aks-a", "rg-prod", {"env": "dev"})
    assert len(policy.for_cluster(now)) == 1
    assert policy.for_cluster(before) == []
    assert len(policy.for_cluster(now)) == 1
