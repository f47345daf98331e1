"""ARM resource IDs: the spelling Azure returned, compared case-insensitively, and their parts."""

from __future__ import annotations

import sys
from dataclasses import field

from auditor.frozen import frozen


def key(resource_id: str) -> str:
    """The comparison key of an ARM ID: ARM IDs are case-insensitive, and Azure spells the
    same ID with other casing (and sometimes a trailing slash) in different places."""
    return resource_id.strip().rstrip("/").lower()


@frozen
class ResourceParts:
    subscription_id: str
    resource_group: str
    resource_type: str  # lower-case, nested types joined: microsoft.network/virtualnetworks/subnets
    name: str
    parent: str = ""  # the parent resource's name, for a nested type (the VNet of a subnet)


@frozen(eq=False)
class ResourceId:
    """An ARM resource ID as Azure spelled it (`text`, for display) and its key (`key`, for
    comparing, hashing and sorting). Made once where rows are read; two IDs are equal when
    their keys are."""

    text: str
    key: str
    # Parsed on first use and kept: rules and reports ask an ID for its parts again and again.
    _parts: ResourceParts | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, text: str) -> ResourceId:
        return cls(text, key(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceId) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __lt__(self, other: ResourceId) -> bool:
        return self.key < other.key

    def __str__(self) -> str:
        return self.text

    @property
    def parts(self) -> ResourceParts:
        parts = self._parts
        if parts is None:
            parts = parse(self.text)
            object.__setattr__(self, "_parts", parts)
        return parts

    @property
    def name(self) -> str:
        return self.parts.name or self.text

    def qualified_name(self, separator: str = "/") -> str:
        """`vnet/subnet`, `cluster/pool`: the name, after its parent's for a nested type."""
        parts = self.parts
        name = parts.name or self.text
        return f"{parts.parent}{separator}{name}" if parts.parent else name

    @property
    def resource_type(self) -> str:
        return self.parts.resource_type

    @property
    def key_segments(self) -> tuple[str, ...]:
        """The key's path segments: `subscriptions`, the subscription, `resourcegroups`, …"""
        return tuple(segment for segment in self.key.split("/") if segment)

    def parent_id(self) -> ResourceId | None:
        """The parent resource of a nested one (the VNet of a subnet); None for a top-level."""
        if not self.parts.parent:
            return None
        return ResourceId.of("/".join(self.text.strip().rstrip("/").split("/")[:-2]))

    def child(self, child_type: str, name: str) -> ResourceId:
        """The ID of a child resource, e.g. a cluster's `agentPools/<name>`."""
        return ResourceId.of(f"{self.text.rstrip('/')}/{child_type}/{name}")


def text_of(resource_id: ResourceId | None, absent: str = "") -> str:
    """The ID as Azure spelled it, or `absent` for no ID."""
    return absent if resource_id is None else resource_id.text


class IdTable(dict[str, ResourceId]):
    """Makes each ID of one estate once: rows reference the same resource again and again,
    and sharing one ResourceId per spelling keeps a large estate's memory flat. `table[text]`
    is the ID of `text`, made on first use."""

    __slots__ = ()

    def __missing__(self, text: str) -> ResourceId:
        found = self[text] = ResourceId.of(text)
        return found

    def __call__(self, text: str) -> ResourceId:
        return self[text]

    def optional(self, text: str | None) -> ResourceId | None:
        return None if not text else self[text]

    def all(self, texts: tuple[str, ...]) -> tuple[ResourceId, ...]:
        return tuple([self[text] for text in texts])


def parse(resource_id: str) -> ResourceParts:
    """Split an ARM ID; tolerant of `resourceGroups`/`resourcegroups` and of nested types."""
    segments = resource_id.strip().strip("/").split("/")
    count = len(segments)
    if (
        count >= 8
        and count % 2 == 0
        and segments[0].lower() == "subscriptions"
        and segments[2].lower() == "resourcegroups"
        and segments[4].lower() == "providers"
    ):
        # The common shape: /subscriptions/S/resourceGroups/G/providers/NS/type/name[/type/name]
        # Subscriptions and groups repeat across an estate's IDs, whose parts are kept.
        return ResourceParts(
            sys.intern(segments[1]),
            sys.intern(segments[3]),
            "/".join([segments[5], *segments[6::2]]).lower(),
            segments[-1],
            segments[-3] if count >= 10 else "",
        )
    segments = [s for s in segments if s]
    lowered = [s.lower() for s in segments]
    subscription = _after(segments, lowered, "subscriptions")
    group = _after(segments, lowered, "resourcegroups")
    resource_type = ""
    name = segments[-1] if segments else ""
    parent = ""
    if "providers" in lowered:
        start = len(lowered) - 1 - lowered[::-1].index("providers")
        rest = segments[start + 1 :]
        if rest:
            namespace, pairs = rest[0], rest[1:]
            types = [pairs[i] for i in range(0, len(pairs), 2)]
            resource_type = "/".join([namespace, *types]).lower()
            if len(pairs) >= 4:
                parent = pairs[-3]
    return ResourceParts(subscription, group, resource_type, name, parent)


def _after(segments: list[str], lowered: list[str], marker: str) -> str:
    if marker in lowered:
        index = lowered.index(marker)
        if index + 1 < len(segments):
            return segments[index + 1]
    return ""
