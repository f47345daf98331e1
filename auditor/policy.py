"""The policy file (`egress-audit.yaml`): what the estate should be, per cluster selector."""

from __future__ import annotations

import fnmatch
import ipaddress
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from auditor.errors import InputError
from auditor.files import read_text
from auditor.graph.nodes import Cluster
from auditor.model import SourceLocation
from auditor.yamlnode import YNode, compose_all

POLICY_VERSION = 1

C = TypeVar("C")

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
class Override:
    """One rule parameter set in the policy file, and where."""

    value: object
    location: SourceLocation


# rule ID → parameter name → override
Overrides = Mapping[str, Mapping[str, Override]]


@dataclass(frozen=True, slots=True)
class ClusterPolicy:
    selector: ClusterSelector
    workloads: tuple[Workload, ...] = ()
    allowed_outbound_types: tuple[str, ...] | None = None
    allowed_egress: tuple[Network, ...] | None = None
    rule_overrides: Overrides = field(default_factory=dict)
    location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    source: str | None = None
    clusters: tuple[ClusterPolicy, ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    rule_overrides: Overrides = field(default_factory=dict)

    def for_cluster(self, cluster: Cluster) -> list[ClusterPolicy]:
        return [entry for entry in self.clusters if entry.selector.matches(cluster)]

    def workloads(self, cluster: Cluster) -> list[Workload]:
        return [w for entry in self.for_cluster(cluster) for w in entry.workloads]

    def config(self, rule_id: str, config_type: type[C], cluster: Cluster | None = None) -> C:
        """A rule's thresholds: the dataclass defaults, then global overrides, then those of
        the cluster entries that match (later entries win)."""
        values = {k: o.value for k, o in self.rule_overrides.get(rule_id, {}).items()}
        if cluster is not None:
            for entry in self.for_cluster(cluster):
                values.update(
                    (k, o.value) for k, o in entry.rule_overrides.get(rule_id, {}).items()
                )
        return config_type(**values)

    def check_rules(self, configs: Mapping[str, type | None]) -> None:
        """Reject overrides of unknown rules or parameters, and values of the wrong type."""
        scopes = [self.rule_overrides, *(entry.rule_overrides for entry in self.clusters)]
        for overrides in scopes:
            for rule_id, params in overrides.items():
                if rule_id not in configs:
                    location = next(iter(params.values())).location if params else None
                    raise _error_at(location, f"rules.{rule_id}", f"unknown rule {rule_id!r}")
                _check_params(rule_id, configs[rule_id], params)


EMPTY = Policy()

_TOP_KEYS = ("version", "clusters", "rules")
_CLUSTER_KEYS = ("match", "workloads", "allowed_outbound_types", "allowed_egress", "rules")
_MATCH_KEYS = ("id", "resource_group", "tags")
_WORKLOAD_KEYS = ("name", "max_idle_seconds", "peak_connections_per_node")


def _check_params(rule_id: str, config: type | None, params: Mapping[str, Override]) -> None:
    fields = {} if config is None else typing.get_type_hints(config)
    for name, override in params.items():
        where = f"rules.{rule_id}.{name}"
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise _error_at(
                override.location, where, f"unknown parameter {name!r} (parameters: {known})"
            )
        expected = fields[name]
        value = override.value
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if type(value) is not expected:
            raise _error_at(override.location, where, f"expected {_type_name(expected)}")


def _type_name(expected: object) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    return names.get(expected, str(expected)) if isinstance(expected, type) else str(expected)


def _error_at(location: SourceLocation | None, where: str, problem: str) -> InputError:
    source = "" if location is None else f"{location.path}:{location.line}"
    return InputError(source, where, problem)


def load(path: Path, display_name: str | None = None) -> Policy:
    source = display_name or str(path)
    return parse(read_text(path, source), source)


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
    disabled, overrides = _rules(top["rules"], allow_enabled=True) if "rules" in top else ([], {})
    return Policy(
        source=source,
        clusters=clusters,
        disabled_rules=frozenset(disabled),
        rule_overrides=overrides,
    )


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
        rule_overrides=_rules(entry["rules"], allow_enabled=False)[1] if "rules" in entry else {},
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


def _rules(node: YNode, *, allow_enabled: bool) -> tuple[list[str], dict[str, dict[str, Override]]]:
    """`RULE_ID: {enabled: bool, <parameter>: value, ...}` → disabled IDs and overrides."""
    disabled = []
    overrides: dict[str, dict[str, Override]] = {}
    for rule_id, settings in node.mapping().items():
        params: dict[str, Override] = {}
        for name, value in settings.mapping().items():
            if name == "enabled":
                if not allow_enabled:
                    raise value.error("rules are enabled or disabled globally, not per cluster")
                if not value.boolean():
                    disabled.append(rule_id.upper())
                continue
            params[name] = Override(value.scalar(), SourceLocation(value.source, value.line))
        if params:
            overrides[rule_id.upper()] = params
    return disabled, overrides
