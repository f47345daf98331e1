"""Which policy entries match a cluster, without trying every entry's selector on every cluster.

An ID or resource-group glob without wildcards matches one value exactly, and a tag matches one
key and value, so most entries are filed under the one value a cluster must have to match them
(its ID key, its resource group, or one of its tags) and tried only on the clusters that have
it. Only entries whose every part has a wildcard are tried on every cluster. Whatever an entry
is filed under, its whole selector decides (ClusterSelector.matches): the index only skips
entries that cannot match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from auditor.graph.nodes import Cluster
    from auditor.policy import ClusterSelector

# What fnmatch treats as a wildcard; any other pattern matches only itself.
_WILDCARDS = re.compile(r"[*?\[]")


class _Entry(Protocol):
    @property
    def selector(self) -> ClusterSelector: ...


E = TypeVar("E", bound=_Entry)


class SelectorIndex(Generic[E]):
    def __init__(self, entries: Sequence[E]) -> None:
        self._entries = entries
        self._by_id: dict[str, list[int]] = defaultdict(list)
        self._by_group: dict[str, list[int]] = defaultdict(list)
        self._by_tag: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._everywhere: list[int] = []
        for number, entry in enumerate(entries):
            selector = entry.selector
            if selector.id_glob and not _WILDCARDS.search(selector.id_glob):
                self._by_id[selector.id_glob.lower()].append(number)
            elif selector.resource_group_glob and not _WILDCARDS.search(
                selector.resource_group_glob
            ):
                self._by_group[selector.resource_group_glob.lower()].append(number)
            elif selector.tags:
                self._by_tag[min(selector.tags.items())].append(number)
            else:
                self._everywhere.append(number)
        # Per cluster object (a baseline's cluster of the same ID may have other tags).
        self._found: dict[int, tuple[Cluster, tuple[int, ...]]] = {}
        # Rule thresholds (Policy.config), per rule, Config type and set of matching entries.
        self.configs: dict[tuple[str, type, tuple[int, ...]], object] = {}

    def _candidates(self, cluster: Cluster) -> set[int]:
        numbers = set(self._everywhere)
        numbers.update(self._by_id.get(cluster.id.key, ()))
        numbers.update(self._by_group.get(cluster.resource_group.lower(), ()))
        if self._by_tag:
            for tag in cluster.tags.items():
                numbers.update(self._by_tag.get(tag, ()))
        return numbers

    def numbers(self, cluster: Cluster) -> tuple[int, ...]:
        """The numbers of the entries whose selector matches `cluster`, in order (kept per
        cluster: rules ask again and again)."""
        if not self._entries:
            return ()
        known = self._found.get(id(cluster))
        if known is not None and known[0] is cluster:
            return known[1]
        entries = self._entries
        found = tuple(
            number
            for number in sorted(self._candidates(cluster))
            if entries[number].selector.matches(cluster)
        )
        self._found[id(cluster)] = (cluster, found)
        return found

    def matching(self, cluster: Cluster) -> list[E]:
        """The entries whose selector matches `cluster`, in order."""
        entries = self._entries
        return [entries[number] for number in self.numbers(cluster)]

    def unmatched(self, clusters: Iterable[Cluster]) -> list[int]:
        """The numbers of the entries that match none of `clusters`."""
        left = set(range(len(self._entries)))
        for cluster in clusters:
            if not left:
                break
            for number in self._candidates(cluster) & left:
                if self._entries[number].selector.matches(cluster):
                    left.discard(number)
        return sorted(left)
