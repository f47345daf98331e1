"""ARM resource IDs: case-insensitive keys and the parts reports need."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass


@functools.lru_cache(maxsize=1 << 20)  # bounded: a long-lived process reads many estates
def key(resource_id: str) -> str:
    """The graph key of an ARM ID: ARM IDs are case-insensitive, so compare lower-cased.

    Cached (rules and reports look the same IDs up again and again) and interned (the same
    key is stored in many graph indexes, once in memory)."""
    return sys.intern(resource_id.strip().rstrip("/").lower())


@dataclass(frozen=True, slots=True)
class ResourceParts:
    subscription_id: str
    resource_group: str
    resource_type: str  # lower-case, nested types joined: microsoft.network/virtualnetworks/subnets
    name: str


def parse(resource_id: str) -> ResourceParts:
    """Split an ARM ID; tolerant of `resourceGroups`/`resourcegroups` and of nested types."""
    segments = resource_id.strip().strip("/").split("/")
    lowered = "/".join(segments).lower().split("/")
    if (
        len(segments) >= 8
        and len(segments) % 2 == 0
        and lowered[0] == "subscriptions"
        and lowered[2] == "resourcegroups"
        and lowered[4] == "providers"
    ):
        # The common shape: /subscriptions/S/resourceGroups/G/providers/NS/type/name[/type/name]
        return ResourceParts(
            segments[1], segments[3], "/".join(lowered[5:6] + lowered[6::2]), segments[-1]
        )
    segments = [s for s in segments if s]
    lowered = [s.lower() for s in segments]
    subscription = _after(segments, lowered, "subscriptions")
    group = _after(segments, lowered, "resourcegroups")
    resource_type = ""
    name = segments[-1] if segments else ""
    if "providers" in lowered:
        start = len(lowered) - 1 - lowered[::-1].index("providers")
        rest = segments[start + 1 :]
        if rest:
            namespace, pairs = rest[0], rest[1:]
            types = [pairs[i] for i in range(0, len(pairs), 2)]
            resource_type = "/".join([namespace, *types]).lower()
    return ResourceParts(subscription, group, resource_type, name)


def _after(segments: list[str], lowered: list[str], marker: str) -> str:
    if marker in lowered:
        index = lowered.index(marker)
        if index + 1 < len(segments):
            return segments[index + 1]
    return ""


def node_pool_id(cluster_id: str, pool_name: str) -> str:
    """The ARM ID of an agent pool, spelled as ARM returns it."""
    return f"{cluster_id.rstrip('/')}/agentPools/{pool_name}"
