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
from collections.abc import Iterable, Iterator, Sequence
from functools import cache

from auditor import arm
from auditor.arm import ResourceId
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import (
    Cluster,
    LoadBalancer,
    NatGateway,
    NodePool,
    PublicIp,
    PublicIpPrefix,
    Resource,
    RouteTable,
    Subnet,
    VirtualNetwork,
)
from auditor.model import Finding, Suppression

# Every kind of resource a finding can be about (unknown references are not resources).
_RESOURCE_KINDS = (
    Cluster,
    NodePool,
    VirtualNetwork,
    Subnet,
    NatGateway,
    PublicIp,
    PublicIpPrefix,
    Resource,
    RouteTable,
    LoadBalancer,
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


def apply(
    findings: Iterable[Finding], suppressions: Sequence[Suppression], as_of: dt.date
) -> list[Finding]:
    """Mark the findings an unexpired suppression covers (the first in file order wins)."""
    active = [s for s in suppressions if not is_expired(s, as_of)]
    marked = []
    for finding in findings:
        match = next((s for s in active if covers(s, finding)), None)
        marked.append(finding if match is None else dataclasses.replace(finding, suppression=match))
    return marked


def estate_resource_ids(graph: EgressGraph) -> Iterator[ResourceId]:
    for kind in _RESOURCE_KINDS:
        payloads: list[Resource | NodePool | Subnet] = graph.all(kind)
        for payload in payloads:
            yield payload.id


def matched_resources(suppression: Suppression, graph: EgressGraph) -> list[ResourceId]:
    """The estate's resources a suppression's glob matches, in key order."""
    return sorted(
        {
            resource_id
            for resource_id in estate_resource_ids(graph)
            if resource_matches(suppression.resource_glob, resource_id)
        }
    )


def unmatched_warnings(
    graph: EgressGraph, suppressions: Sequence[Suppression], findings: Sequence[Finding]
) -> list[str]:
    """A suppression whose glob matches no resource of the estate (nor any finding) is
    probably a typo or a leftover: say so."""
    ids = [*estate_resource_ids(graph), *(f.resource_id for f in findings)]
    warnings = []
    for index, suppression in enumerate(suppressions):
        if any(resource_matches(suppression.resource_glob, i) for i in ids):
            continue
        location = suppression.location
        where = f"{location.path}:{location.line}: " if location else ""
        warnings.append(
            f"{where}suppressions[{index}] matches no resource "
            f"({suppression.rule_id} on {suppression.resource_glob})"
        )
    return warnings
