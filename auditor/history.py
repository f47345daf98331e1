"""Resource Graph change history (`resourcechanges` rows): who changed a resource, when, how.

Rows come in two shapes and both are read: the raw table row (azure-wire.md §3: everything
under `properties`, attributes under `properties.changeAttributes`) and the projected row of
the documented sample query (`targetResourceId`, `changeTime`, `changedBy`, … as columns).
History only enriches drift findings, so a row missing its target or time is skipped rather
than failing the audit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.arm import ResourceId

_CHILD_TYPES = ("/subnets/", "/agentpools/")


@dataclass(frozen=True, slots=True)
class Change:
    """One change record of one resource."""

    target_id: ResourceId
    at: dt.datetime
    timestamp: str  # as recorded, for reports
    change_type: str  # Create | Update | Delete
    changed_by: str
    changed_by_type: str
    client_type: str
    operation: str
    paths: tuple[str, ...]  # property paths an Update changed (empty for Create/Delete)

    def describe(self) -> str:
        """`<time> by <who> (<who type> via <client>, <operation>)` for messages."""
        how = ", ".join(
            p
            for p in (
                " via ".join(x for x in (self.changed_by_type, self.client_type) if x),
                self.operation,
            )
            if p
        )
        return f"{self.timestamp} by {self.changed_by or 'an unknown identity'}" + (
            f" ({how})" if how else ""
        )

    def names_any(self, hints: Sequence[str]) -> bool:
        """Whether this record can explain a drift about properties named by `hints`.

        A Create or Delete, or an Update that lists no property paths, may have changed
        anything; an Update with paths must name one of the hints."""
        if self.change_type.lower() != "update" or not self.paths or not hints:
            return True
        return any(hint in path.lower() for path in self.paths for hint in hints)


def parse_changes(rows: Iterable[Mapping[str, Any]]) -> list[Change]:
    found = []
    for row in rows:
        change = _change(row)
        if change is not None:
            found.append(change)
    return found


def _change(row: Mapping[str, Any]) -> Change | None:
    """One raw `resourcechanges` row (azure-wire.md §3); rows without a target or a time are
    not attributable and are skipped."""
    props = _mapping(row.get("properties"))
    attributes = _mapping(props.get("changeAttributes"))

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    target = text(props.get("targetResourceId"))
    timestamp = text(attributes.get("timestamp"))
    at = parse_time(timestamp)
    if not target or at is None:
        return None
    changes = props.get("changes")
    return Change(
        target_id=ResourceId.of(target),
        at=at,
        timestamp=timestamp,
        change_type=text(props.get("changeType")),
        changed_by=text(attributes.get("changedBy")),
        changed_by_type=text(attributes.get("changedByType")),
        client_type=text(attributes.get("clientType")),
        operation=text(attributes.get("operation")),
        paths=tuple(sorted(str(k) for k in changes)) if isinstance(changes, Mapping) else (),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 timestamp (naive means UTC), or None."""
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def target_of(resource_id: ResourceId) -> str:
    """The key change records of a resource are filed under: subnets change on their virtual
    network and node pools on their cluster, because only those are Resource Graph types."""
    key = resource_id.key
    for child in _CHILD_TYPES:
        if child in key:
            return key[: key.index(child)]
    return key


class History:
    """Change records indexed by target, limited to the window between two snapshots."""

    def __init__(
        self,
        changes: Iterable[Change],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> None:
        self._by_target: dict[str, list[Change]] = defaultdict(list)
        self.size = 0
        for change in changes:
            # A change at or before the baseline was read is already in the baseline; one
            # after the new estate was read cannot explain it.
            if since is not None and change.at <= since:
                continue
            if until is not None and change.at > until:
                continue
            self._by_target[change.target_id.key].append(change)
            self.size += 1

    def explain(self, resource_ids: Iterable[ResourceId], hints: Sequence[str]) -> list[Change]:
        """Records of any of the resources that may explain the drift, most recent first."""
        targets = {target_of(r) for r in resource_ids}
        found = {
            (change.at, change.target_id.key, change.operation, change.paths): change
            for target in targets
            for change in self._by_target.get(target, [])
            if change.names_any(hints)
        }
        return [found[k] for k in sorted(found, reverse=True)]
