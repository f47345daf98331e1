"""Suppressions from the policy file: which findings they hide, and which are stale.

A suppression names a rule, an ARM-ID glob (case-insensitive, `*` crosses `/`), a
justification and an expiry date. It hides the findings it matches through its expiry date
inclusive; from the next day (judged against the day the estate was read, never the wall
clock) it stops hiding them and rule POL002 reports it. A suppressed finding stays in the
result, marked, but does not count for `--fail-on`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import re
import typing
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import cache

from auditor import arm
from auditor.arm import ResourceId
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Payload, Unknown
from auditor.model import Finding, Suppression

# Every kind of resource a finding can be about, firewalls and gateways too (unknown
# references are not resources).
_RESOURCE_KINDS: tuple[type[Payload], ...] = tuple(
    kind for kind in typing.get_args(Payload) if kind is not Unknown
)


def expiry(suppression: Suppression) -> dt.date:
    return dt.date.fromisoformat(suppression.expires)


def is_expired(suppression: Suppression, as_of: dt.date) -> bool:
    """Expired once the estate was read after the expiry date (the date itself still counts)."""
    return as_of > expiry(suppression)


@cache
def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(arm.key(glob)))


def resource_matches(glob: str, resource_id: ResourceId) -> bool:
    return _pattern(glob).match(resource_id.key) is not None


def covers(suppression: Suppression, finding: Finding) -> bool:
    return suppression.rule_id == finding.rule_id.upper() and resource_matches(
        suppression.resource_glob, finding.resource_id
    )


_WILDCARDS = re.compile(r"[*?\[]")


class GlobIndex:
    """Which of many globs match an ARM ID, without trying every glob on every ID.

    A glob without wildcards is a dictionary key. Otherwise every `/`-delimited segment of the
    glob free of wildcards (`*` crosses `/`, but the text between wildcards is matched as
    written) must be a whole segment of any ID it matches: the glob is filed under one such
    segment — the rarest in `frequency`, else the last — and tried only on IDs that have it.
    Only globs with no literal segment (or with a `[` class) are tried on every ID. So the
    cost grows with IDs plus globs, not their product.
    """

    def __init__(self, globs: Sequence[str], frequency: Mapping[str, int] | None = None) -> None:
        self.globs = [arm.key(glob) for glob in globs]
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.by_segment: dict[str, list[int]] = defaultdict(list)
        self.wild: list[int] = []
        for index, glob in enumerate(self.globs):
            if not _WILDCARDS.search(glob):
                self.exact[glob].append(index)
                continue
            segments = [] if "[" in glob else _literal_segments(glob)
            if not segments:
                self.wild.append(index)
            elif frequency is None:
                self.by_segment[segments[-1]].append(index)
            else:
                self.by_segment[min(segments, key=lambda s: frequency.get(s, 0))].append(index)

    def matching(self, key: str, skip: AbstractSet[int] = frozenset()) -> Iterator[int]:
        """The indexes of the globs that match `key` (an `arm.key`), in no particular order;
        those in `skip` are not tried."""
        yield from (i for i in self.exact.get(key, ()) if i not in skip)
        tried: list[int] = []
        for segment in set(key.split("/")):
            tried.extend(self.by_segment.get(segment, ()))
        tried.extend(self.wild)
        for index in tried:
            if index not in skip and _pattern(self.globs[index]).match(key) is not None:
                yield index


_NO_GLOBS = GlobIndex([])


def _literal_segments(glob: str) -> list[str]:
    """The glob's segments that any matching ID has whole: free of wildcards and with a `/`
    on both sides (or, for the last, the end of the ID)."""
    parts = glob.split("/")
    return [part for part in parts[1:] if part and not _WILDCARDS.search(part)]


def segment_frequency(keys: Iterable[str]) -> Counter[str]:
    """In how many of `keys` each segment occurs."""
    return Counter(segment for key in keys for segment in set(key.split("/")))


def apply(
    findings: Iterable[Finding], suppressions: Sequence[Suppression], as_of: dt.date
) -> list[Finding]:
    """Mark the findings an unexpired suppression covers (the first in file order wins)."""
    active = [s for s in suppressions if not is_expired(s, as_of)]
    if not active:
        return list(findings)
    by_rule: dict[str, list[Suppression]] = defaultdict(list)
    for suppression in active:
        by_rule[suppression.rule_id].append(suppression)
    indexes = {
        rule: (entries, GlobIndex([s.resource_glob for s in entries]))
        for rule, entries in by_rule.items()
    }
    marked = []
    for finding in findings:
        entries, index = indexes.get(finding.rule_id.upper(), ((), _NO_GLOBS))
        first = min(index.matching(finding.resource_id.key), default=None)
        marked.append(
            finding if first is None else dataclasses.replace(finding, suppression=entries[first])
        )
    return marked


def estate_resource_ids(graph: EgressGraph) -> Iterator[ResourceId]:
    for kind in _RESOURCE_KINDS:
        for payload in graph.all(kind):
            yield payload.id


class _EstateIds:
    """The estate's resource IDs by key and by segment, built once per graph."""

    def __init__(self, graph: EgressGraph) -> None:
        self.by_key = {resource_id.key: resource_id for resource_id in estate_resource_ids(graph)}
        self.by_segment: dict[str, list[str]] = defaultdict(list)
        for key in self.by_key:
            for segment in set(key.split("/")):
                self.by_segment[segment].append(key)


_estate_ids: weakref.WeakKeyDictionary[EgressGraph, _EstateIds] = weakref.WeakKeyDictionary()


def matched_resources(suppression: Suppression, graph: EgressGraph) -> list[ResourceId]:
    """The estate's resources a suppression's glob matches, in key order."""
    estate = _estate_ids.get(graph)
    if estate is None:
        estate = _estate_ids[graph] = _EstateIds(graph)
    glob = arm.key(suppression.resource_glob)
    if not _WILDCARDS.search(glob):
        return [estate.by_key[glob]] if glob in estate.by_key else []
    segments = [] if "[" in glob else _literal_segments(glob)
    candidates = (
        min((estate.by_segment.get(s, []) for s in segments), key=len)
        if segments
        else estate.by_key
    )
    pattern = _pattern(suppression.resource_glob)
    return [estate.by_key[key] for key in sorted(candidates) if pattern.match(key) is not None]


def unmatched_warnings(
    graph: EgressGraph, suppressions: Sequence[Suppression], findings: Sequence[Finding]
) -> list[str]:
    """A suppression whose glob matches no resource of the estate (nor any finding) is
    probably a typo or a leftover: say so."""
    if not suppressions:
        return []
    keys = {i.key for i in (*estate_resource_ids(graph), *(f.resource_id for f in findings))}
    index = GlobIndex([s.resource_glob for s in suppressions], segment_frequency(keys))
    matched: set[int] = set()
    for key in keys:
        if len(matched) == len(suppressions):
            break
        matched.update(index.matching(key, matched))
    warnings = []
    for number, suppression in enumerate(suppressions):
        if number in matched:
            continue
        location = suppression.location
        where = f"{location.path}:{location.line}: " if location else ""
        warnings.append(
            f"{where}suppressions[{number}] matches no resource "
            f"({suppression.rule_id} on {suppression.resource_glob})"
        )
    return warnings
