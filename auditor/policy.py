"""The policy file (`egress-audit.yaml`): what the estate should be, per cluster selector."""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import InputError
from auditor.graph.nodes import Cluster
from auditor.model import SourceLocation
from auditor.yamlnode import YNode, compose_all

POLICY_VERSION = 1

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    max_idle_seconds: int | None = None
    peak_connections_per_node: int | None = None
    location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class ClusterSelector:
    id_glob: str | None = None
    resource_group_glob: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def matches(self, cluster: Cluster) -> bool:
        if self.id_glob and not fnmatch.fnmatchcase(cluster.id.lower(), self.id_glob.lower()):
            return False
        if self.resource_group_glob and not fnmatch.fnmatchcase(
            cluster.resource_group.lower(), self.resource_group_glob.lower()
        ):
            return False
        return all(cluster.tags.get(k) == v for k, v in self.tags.items())

    def describe(self) -> str:
        parts = []
        if self.id_glob:
            parts.append(f"id {self.id_glob}")
        if self.resource_group_glob:
            parts.append(f"resource group {self.resource_group_glob}")
        parts.extend(f"tag {k}={v}" for k, v in sorted(self.tags.items()))
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ClusterPolicy:
    selector: ClusterSelector
    workloads: tuple[Workload, ...] = ()
    allowed_outbound_types: tuple[str, ...] | None = None
    allowed_egress: tuple[Network, ...] | None = None
    location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    source: str | None = None
    clusters: tuple[ClusterPolicy, ...] = ()
    disabled_rules: frozenset[str] = frozenset()

    def for_cluster(self, cluster: Cluster) -> list[ClusterPolicy]:
        return [entry for entry in self.clusters if entry.selector.matches(cluster)]

    def workloads(self, cluster: Cluster) -> list[Workload]:
        return [w for entry in self.for_cluster(cluster) for w in entry.workloads]


EMPTY = Policy()

_TOP_KEYS = ("version", "clusters", "rules")
_CLUSTER_KEYS = ("match", "workloads", "allowed_outbound_types", "allowed_egress")
_MATCH_KEYS = ("id", "resource_group", "tags")
_WORKLOAD_KEYS = ("name", "max_idle_seconds", "peak_connections_per_node")
_RULE_KEYS = ("enabled",)


def load(path: Path, display_name: str | None = None) -> Policy:
    source = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, "", f"cannot read: {exc}") from None
    return parse(text, source)


def parse(text: str, source: str) -> Policy:
    documents = compose_all(text, source)
    if not documents:
        return Policy(source=source)
    if len(documents) > 1:
        raise documents[1].error("a policy file holds one YAML document")
    top = documents[0].mapping(_TOP_KEYS)
    if "version" in top and top["version"].integer() != POLICY_VERSION:
        raise top["version"].error(
            f"unsupported policy version (this egress-audit reads version {POLICY_VERSION})"
        )
    clusters = tuple(_cluster(node) for node in _optional_sequence(top.get("clusters")))
    disabled = frozenset(_disabled_rules(top["rules"])) if "rules" in top else frozenset()
    return Policy(source=source, clusters=clusters, disabled_rules=disabled)


def _optional_sequence(node: YNode | None) -> list[YNode]:
    if node is None or node.is_null():
        return []
    return list(node.sequence())


def _cluster(node: YNode) -> ClusterPolicy:
    entry = node.mapping(_CLUSTER_KEYS)
    if "match" not in entry:
        raise node.error("missing key 'match' (id, resource_group or tags)")
    match = entry["match"].mapping(_MATCH_KEYS)
    if not match:
        raise entry["match"].error("give at least one of: id, resource_group, tags")
    tags = {}
    if "tags" in match:
        for key, value in match["tags"].mapping().items():
            tags[key] = str(value.scalar())
    selector = ClusterSelector(
        id_glob=match["id"].string() if "id" in match else None,
        resource_group_glob=match["resource_group"].string() if "resource_group" in match else None,
        tags=tags,
    )
    outbound = entry.get("allowed_outbound_types")
    egress = entry.get("allowed_egress")
    return ClusterPolicy(
        selector=selector,
        workloads=tuple(_workload(item) for item in _optional_sequence(entry.get("workloads"))),
        allowed_outbound_types=None if outbound is None else outbound.strings(),
        allowed_egress=None if egress is None else tuple(_network(i) for i in egress.sequence()),
        location=SourceLocation(node.source, node.line),
    )


def _workload(node: YNode) -> Workload:
    entry = node.mapping(_WORKLOAD_KEYS)
    if "name" not in entry:
        raise node.error("missing key 'name'")
    idle = entry.get("max_idle_seconds")
    peak = entry.get("peak_connections_per_node")
    return Workload(
        name=entry["name"].string(),
        max_idle_seconds=None if idle is None else idle.integer(minimum=1),
        peak_connections_per_node=None if peak is None else peak.integer(minimum=1),
        location=SourceLocation(node.source, (idle or node).line),
    )


def _network(node: YNode) -> Network:
    text = node.string()
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise node.error(f"{text!r} is not an IP address or CIDR") from None


def _disabled_rules(node: YNode) -> list[str]:
    disabled = []
    for rule_id, settings in node.mapping().items():
        values = settings.mapping(_RULE_KEYS)
        if "enabled" in values and not values["enabled"].boolean():
            disabled.append(rule_id.upper())
    return disabled
