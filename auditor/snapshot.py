"""The versioned snapshot document: raw Resource Graph rows per type, read and written safely."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from auditor import decode
from auditor.errors import InputError
from auditor.files import parse_json, read_bytes, replace_surrogates_in, write_text_atomic
from auditor.model import CollectionError
from auditor.raw_rows import RawRows
from auditor.reader import Node
from auditor.safetext import surrogate_warning

FORMAT = "egress-audit-snapshot"
VERSION = 1

MANAGED_CLUSTERS = "microsoft.containerservice/managedclusters"
VIRTUAL_NETWORKS = "microsoft.network/virtualnetworks"
NAT_GATEWAYS = "microsoft.network/natgateways"
PUBLIC_IPS = "microsoft.network/publicipaddresses"
PUBLIC_IP_PREFIXES = "microsoft.network/publicipprefixes"
ROUTE_TABLES = "microsoft.network/routetables"
LOAD_BALANCERS = "microsoft.network/loadbalancers"
AZURE_FIREWALLS = "microsoft.network/azurefirewalls"
FIREWALL_POLICIES = "microsoft.network/firewallpolicies"
VIRTUAL_NETWORK_GATEWAYS = "microsoft.network/virtualnetworkgateways"

RESOURCE_TYPES = (
    MANAGED_CLUSTERS,
    VIRTUAL_NETWORKS,
    NAT_GATEWAYS,
    PUBLIC_IPS,
    PUBLIC_IP_PREFIXES,
    ROUTE_TABLES,
    LOAD_BALANCERS,
    AZURE_FIREWALLS,
    FIREWALL_POLICIES,
    VIRTUAL_NETWORK_GATEWAYS,
)

Row = Mapping[str, Any]
T = TypeVar("T")

# Upgrades of older snapshot documents, keyed by the version they read: each returns the
# document in the next version. A version with no entry here (and no path to VERSION) is
# refused with an error naming the file, never compared as if it were current: drift
# against a misread baseline would be wrong, not merely incomplete. Empty while only
# version 1 exists.
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
UPGRADES: dict[int, Upgrade] = {}


class _Released(Sequence[Row]):
    """Rows a snapshot let go of once the graph was built (see Snapshot.without_rows):
    reading them is a mistake in the program, never an empty estate."""

    def _refuse(self) -> Any:
        raise RuntimeError("the snapshot's rows were released after its graph was built")

    def __getitem__(self, index: Any) -> Any:
        return self._refuse()

    def __len__(self) -> int:
        return int(self._refuse())


_RELEASED = _Released()


@dataclass(frozen=True)
class Snapshot:
    """A loaded snapshot. `source` names the file in every error message.

    Rows are dicts as a collection made them, or RawRows as a file holds them."""

    source: str
    collected_at: str
    tool: Mapping[str, str]
    scope: Mapping[str, Any]
    resources: Mapping[str, Sequence[Row]]
    changes: Sequence[Row] = field(default_factory=list)
    errors: tuple[CollectionError, ...] = ()
    # Gaps that leave the audit complete, e.g. change history that could not be read.
    warnings: tuple[str, ...] = ()

    @property
    def collected_date(self) -> dt.date:
        return dt.datetime.fromisoformat(self.collected_at.replace("Z", "+00:00")).date()

    def rows(self, resource_type: str) -> Sequence[Row]:
        return self.resources.get(resource_type, [])

    def records(self, resource_type: str, shape: type[T]) -> list[T]:
        """The rows of one type as records of `shape` (auditor/graph/shapes.py), decoded
        straight from the file's text when they are still text. A field of the wrong JSON
        type is an InputError naming its path, e.g. `resources.<type>[3].properties.subnets`."""
        rows = self.rows(resource_type)
        where = f"resources.{resource_type}"
        if isinstance(rows, RawRows):
            return decode.decode_list(rows.raw, shape, self.source, where)
        return decode.convert_list(rows, shape, self.source, where)

    def without_rows(self, *, keep_changes: bool) -> Snapshot:
        """The snapshot without its resource rows (and without its change history unless
        `keep_changes`), for an audit whose graph is built and which writes no snapshot: a
        file's rows hold the whole file's bytes."""
        changes = self.changes
        if not keep_changes:
            changes = _RELEASED
        elif isinstance(changes, RawRows):
            changes = changes.owned()
        return dataclasses.replace(
            self, resources=dict.fromkeys(self.resources, _RELEASED), changes=changes
        )

    @property
    def collected_types(self) -> frozenset[str]:
        """The resource types this snapshot was asked for. A type missing from an older
        snapshot was never read: what it would show is unknown, not absent."""
        return frozenset(self.resources)

    def to_document(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "collectedAt": self.collected_at,
            "tool": dict(self.tool),
            "scope": dict(self.scope),
            "resources": {
                t: list(self.resources[t]) for t in RESOURCE_TYPES if t in self.resources
            },
            "changes": list(self.changes),
            "errors": [_error_document(e) for e in self.errors],
            "warnings": list(self.warnings),
        }


def load(path: Path, display_name: str | None = None) -> Snapshot:
    from auditor.snapshot_file import parse_bytes

    source = display_name or str(path)
    return parse_bytes(read_bytes(path, source), source)


def parse_text(text: str, source: str) -> Snapshot:
    from auditor.snapshot_file import parse_bytes

    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: only the dict reader replaces them
        return parse_dicts(text, source)
    return parse_bytes(data, source)


def parse_dicts(text: str, source: str) -> Snapshot:
    """A snapshot read through json.loads and dicts (see snapshot_file.parse_bytes)."""
    warnings: list[str] = []
    snap = parse_document(parse_json(text, source, warnings), source)
    if warnings:
        snap = dataclasses.replace(snap, warnings=(*snap.warnings, *warnings))
    return snap


def without_surrogates(snap: Snapshot) -> Snapshot:
    """A collected snapshot with lone surrogates replaced, so that it can be written and
    reported (Azure stores strings as UTF-16, which allows them)."""
    document = snap.to_document()
    found = replace_surrogates_in(document)
    if found is None:
        return snap
    fixed = parse_document(document, snap.source)
    warning = surrogate_warning(f"{snap.source}: {found[0]}", found[1])
    return dataclasses.replace(fixed, warnings=(*fixed.warnings, warning))


# A subscription ID as Azure writes it (scope.subscriptions decides which SARIF runs exist).
_SUBSCRIPTION_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_SCOPE_FLAGS = ("tenant",)
_SCOPE_LISTS = ("requestedSubscriptions", "managementGroups", "subscriptions")
_SCOPE_TEXTS = ("cloud", "armEndpoint")
_SCOPE_COUNTS = ("batchSize", "batches", "changesDays")


def _scope(node: Node | None) -> dict[str, Any]:
    """The collection's scope, each field checked: the reports read it (the subscriptions
    listed decide which SARIF runs are written). Fields this version does not know are not
    carried into the reports."""
    if node is None:
        return {}
    scope: dict[str, Any] = {}
    for key in _SCOPE_FLAGS:
        flag = node.opt_boolean(key)
        if flag is not None:
            scope[key] = flag
    for key in _SCOPE_LISTS:
        if node.value.get(key) is not None:
            scope[key] = list(node.strs(key))
    for key in _SCOPE_TEXTS:
        text = node.opt_string(key)
        if text is not None:
            scope[key] = text
    for key in _SCOPE_COUNTS:
        count = node.opt_integer(key)
        if count is not None:
            if count < 0:
                raise node.error("must be at least 0", key)
            scope[key] = count
    for key in ("requestedSubscriptions", "subscriptions"):
        for index, subscription in enumerate(scope.get(key, [])):
            if not _SUBSCRIPTION_ID.fullmatch(subscription):
                raise node.error("expected a subscription ID (a GUID)", f"{key}[{index}]")
    return scope


def parse_document(document: Any, source: str) -> Snapshot:
    root = Node(source, "", document)
    if not isinstance(document, dict):
        raise root.error("expected a JSON object (an egress-audit snapshot)")
    if document.get("format") != FORMAT:
        raise root.error(f"not an egress-audit snapshot (format must be {FORMAT!r})", "format")
    document = _upgrade(root, root.integer("version"))
    root = Node(source, "", document)
    header = Header.of(root)
    resources_node = root.obj("resources")
    resources: dict[str, Sequence[Row]] = {}
    for resource_type, rows in resources_node.entries():
        if not isinstance(rows.value, list):
            raise rows.error("expected a list")
        for row in rows.items():
            check_row(row)
        resources[resource_type.lower()] = rows.value
    changes = root.opt_array("changes")
    for change in changes.items():
        if not isinstance(change.value, dict):
            raise change.error("expected an object")
    return header.snapshot(resources, changes.value)


@dataclass(frozen=True)
class Header:
    """The small parts of a snapshot document, checked."""

    source: str
    collected_at: str
    tool: Mapping[str, str]
    scope: Mapping[str, Any]
    errors: tuple[CollectionError, ...]
    warnings: tuple[str, ...]

    @classmethod
    def of(cls, root: Node) -> Header:
        if root.value.get("format") != FORMAT:
            raise root.error(f"not an egress-audit snapshot (format must be {FORMAT!r})", "format")
        collected_at = root.string("collectedAt")
        try:
            dt.datetime.fromisoformat(collected_at.replace("Z", "+00:00"))
        except ValueError:
            raise root.error("expected an ISO 8601 timestamp", "collectedAt") from None
        tool = root.opt_obj("tool")
        if tool is not None:
            for _key, value in tool.entries():
                if type(value.value) is not str:
                    raise value.error("expected a string")
        return cls(
            source=root.source,
            collected_at=collected_at,
            tool={} if tool is None else dict(tool.value),
            scope=_scope(root.opt_obj("scope")),
            errors=tuple(_parse_error(node) for node in root.opt_array("errors").items()),
            warnings=root.strs("warnings"),
        )

    def snapshot(self, resources: dict[str, Sequence[Row]], changes: Sequence[Row]) -> Snapshot:
        return Snapshot(
            source=self.source,
            collected_at=self.collected_at,
            tool=self.tool,
            scope=self.scope,
            resources=resources,
            changes=changes,
            errors=self.errors,
            warnings=self.warnings,
        )


def check_row(row: Node) -> None:
    """What every resource row must be, for the reader and the collector alike."""
    if not isinstance(row.value, dict):
        raise row.error("expected an object")
    row.string("id")


def _upgrade(root: Node, version: int) -> dict[str, Any]:
    """The document in the current version, through the upgrade table."""
    if version > VERSION:
        raise root.error(
            f"unsupported snapshot version {version} (this egress-audit reads version {VERSION})",
            "version",
        )
    document: dict[str, Any] = root.value
    while version < VERSION:
        step = UPGRADES.get(version)
        if step is None:
            raise root.error(
                f"unsupported snapshot version {version} (this egress-audit reads version "
                f"{VERSION} and cannot upgrade version {version}; collect a new snapshot)",
                "version",
            )
        document = step(document)
        version += 1
        document["version"] = version
    return document


def _parse_error(node: Node) -> CollectionError:
    return CollectionError(
        scope=node.string("scope"),
        status=node.opt_integer("status"),
        message=node.string("message"),
        subscriptions=node.strs("subscriptions"),
    )


def _error_document(error: CollectionError) -> dict[str, Any]:
    return {
        "scope": error.scope,
        "status": error.status,
        "message": error.message,
        "subscriptions": list(error.subscriptions),
    }


def write(snapshot: Snapshot, path: Path) -> None:
    """Write `snapshot`, never one that reading it back would refuse (InputError instead)."""
    document = snapshot.to_document()
    try:
        parse_document(document, str(path))
    except InputError as exc:
        raise InputError(exc.source, exc.where, f"{exc.problem} (snapshot not written)") from None
    write_json_atomic(document, path)


def write_json_atomic(document: Any, path: Path) -> None:
    write_text_atomic(
        json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n", path
    )
