"""The policy file (`egress-audit.yaml`): what the estate should be, per cluster selector.

Read line-aware (auditor/yamlnode.py): every error names the file, the line and the key path,
e.g. `egress-audit.yaml:12: clusters[0].workloads[0].max_idle_seconds: expected an integer`.
The full format is documented in docs/policy.md.
"""

from __future__ import annotations

import difflib
import fnmatch
import ipaddress
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from auditor.errors import InputError
from auditor.files import read_text
from auditor.graph.nodes import Cluster
from auditor.model import SourceLocation, Suppression
from auditor.safetext import quoted
from auditor.workload import GatewayConfig
from auditor.workload import Workload as Workload

if TYPE_CHECKING:
    # The rules name the policy's types; YAML is loaded only when a policy file is read, so
    # `egress-audit rules` does not load it.
    from auditor import manifests
    from auditor.yamlnode import YNode

POLICY_VERSION = 1

C = TypeVar("C")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The `outboundType` values AKS documents (stable enum, then preview values); an allowed type
# outside this list is probably a typo, so the policy warns about it.
KNOWN_OUTBOUND_TYPES = (
    "loadBalancer",
    "userDefinedRouting",
    "managedNATGateway",
    "userAssignedNATGateway",
    "none",
    "managedNATGatewayV2",
    "block",
)


@dataclass(frozen=True, slots=True)
class ClusterSelector:
    id_glob: str | None = None
    resource_group_glob: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def matches(self, cluster: Cluster) -> bool:
        if self.id_glob and not fnmatch.fnmatchcase(cluster.id.key, self.id_glob.lower()):
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
    where: str = ""  # the key path, e.g. clusters[0].rules.LB002.ports_per_ip


# rule ID → parameter name → override
Overrides = Mapping[str, Mapping[str, Override]]


@dataclass(frozen=True, slots=True)
class RuleMention:
    """A rule ID the policy names (under `rules:` or in a suppression), kept so an unknown ID
    is reported at its line even when the entry only disables the rule."""

    rule_id: str
    where: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class ClusterPolicy:
    selector: ClusterSelector
    workloads: tuple[Workload, ...] = ()
    # StaticGatewayConfigurations read from the entry's manifests.
    gateway_configs: tuple[GatewayConfig, ...] = ()
    allowed_outbound_types: tuple[str, ...] | None = None
    allowed_egress: tuple[Network, ...] | None = None
    rule_overrides: Overrides = field(default_factory=dict)
    location: SourceLocation | None = None
    outbound_types_location: SourceLocation | None = None
    allowed_egress_location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    source: str | None = None
    clusters: tuple[ClusterPolicy, ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    rule_overrides: Overrides = field(default_factory=dict)
    suppressions: tuple[Suppression, ...] = ()
    rule_mentions: tuple[RuleMention, ...] = ()
    warnings: tuple[str, ...] = ()  # e.g. skipped Helm templates; the report repeats them

    def for_cluster(self, cluster: Cluster) -> list[ClusterPolicy]:
        return [entry for entry in self.clusters if entry.selector.matches(cluster)]

    def workloads(self, cluster: Cluster) -> list[Workload]:
        return [w for entry in self.for_cluster(cluster) for w in entry.workloads]

    def gateway_configs(self, cluster: Cluster) -> list[GatewayConfig]:
        return [g for entry in self.for_cluster(cluster) for g in entry.gateway_configs]

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
        """Reject unknown rule IDs (also in `enabled:`-only entries and suppressions), unknown
        parameters, and values of the wrong type."""
        for mention in self.rule_mentions:
            if mention.rule_id not in configs:
                raise _error_at(
                    mention.location,
                    mention.where,
                    f"unknown rule {quoted(mention.rule_id)}"
                    + _close_match(mention.rule_id, configs),
                )
        scopes = [self.rule_overrides, *(entry.rule_overrides for entry in self.clusters)]
        for overrides in scopes:
            for rule_id, params in overrides.items():
                if rule_id not in configs:  # a policy built in code, without mentions
                    location = next(iter(params.values())).location if params else None
                    raise _error_at(location, f"rules.{rule_id}", f"unknown rule {quoted(rule_id)}")
                _check_params(rule_id, configs[rule_id], params)


EMPTY = Policy()

_TOP_KEYS = ("version", "clusters", "rules", "suppressions")
_CLUSTER_KEYS = (
    "match",
    "workloads",
    "manifests",
    "allowed_outbound_types",
    "allowed_egress",
    "rules",
)
_MATCH_KEYS = ("id", "resource_group", "tags")
_WORKLOAD_KEYS = ("name", "max_idle_seconds", "peak_connections_per_node", "manifests")
_SUPPRESSION_KEYS = ("rule", "resource", "justification", "expires")


def _check_params(rule_id: str, config: type | None, params: Mapping[str, Override]) -> None:
    fields = {} if config is None else typing.get_type_hints(config)
    for name, override in params.items():
        where = override.where or f"rules.{rule_id}.{name}"
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise _error_at(
                override.location,
                where,
                f"unknown parameter {quoted(name)} (parameters: {known})",
            )
        expected = fields[name]
        value = override.value
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if type(value) is not expected:
            raise _error_at(override.location, where, f"expected {_type_name(expected)}")
        if config is not None:
            # A Config checks its own ranges (in __post_init__): a value of the right type can
            # still make no sense, e.g. zero SNAT ports per IP.
            try:
                config(**{name: value})
            except ValueError as exc:
                raise _error_at(override.location, where, str(exc)) from None


def _close_match(rule_id: str, configs: Mapping[str, object]) -> str:
    """A "did you mean" hint; only for ID-sized input (difflib is quadratic in length)."""
    if len(rule_id) > 32:
        return ""
    close = difflib.get_close_matches(rule_id, list(configs), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _type_name(expected: object) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    return names.get(expected, str(expected)) if isinstance(expected, type) else str(expected)


def _error_at(location: SourceLocation | None, where: str, problem: str) -> InputError:
    source = "" if location is None else f"{location.path}:{location.line}"
    return InputError(source, where, problem)


def load(path: Path, display_name: str | None = None) -> Policy:
    source = display_name or str(path)
    return parse(read_text(path, source), source, base_dir=path.parent)


def parse(text: str, source: str, base_dir: Path | None = None) -> Policy:
    """Parse a policy file's text. `manifests` paths are relative to `base_dir` (the policy
    file's folder; by default the folder of `source`)."""
    from auditor.yamlnode import compose_all

    reader = _Reader(base_dir if base_dir is not None else Path(source).parent)
    documents = compose_all(text, source, reader.warnings)
    if not documents:
        return Policy(source=source, warnings=tuple(reader.warnings))
    if len(documents) > 1:
        raise documents[1].error("a policy file holds one YAML document")
    return reader.policy(documents[0], source)


class _Reader:
    """One policy file's parse: resolves manifest paths and collects warnings on the way."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.warnings: list[str] = []
        self.mentions: list[RuleMention] = []
        self._manifests: dict[Path, manifests.ManifestRead] = {}

    def policy(self, document: YNode, source: str) -> Policy:
        top = document.mapping(_TOP_KEYS)
        if "version" in top and top["version"].integer() != POLICY_VERSION:
            raise top["version"].error(
                f"unsupported policy version (this egress-audit reads version {POLICY_VERSION})"
            )
        clusters = tuple(self._cluster(node) for node in _optional_sequence(top.get("clusters")))
        disabled: list[str] = []
        overrides: dict[str, dict[str, Override]] = {}
        if "rules" in top:
            disabled, overrides = self._rules(top["rules"], allow_enabled=True)
        suppressions = tuple(
            self._suppression(node) for node in _optional_sequence(top.get("suppressions"))
        )
        return Policy(
            source=source,
            clusters=clusters,
            disabled_rules=frozenset(disabled),
            rule_overrides=overrides,
            suppressions=suppressions,
            rule_mentions=tuple(self.mentions),
            warnings=tuple(self.warnings),
        )

    def _cluster(self, node: YNode) -> ClusterPolicy:
        entry = node.mapping(_CLUSTER_KEYS)
        if "match" not in entry:
            raise node.error("missing key 'match' (id, resource_group or tags)")
        match = entry["match"].mapping(_MATCH_KEYS)
        if not match:
            raise entry["match"].error("give at least one of: id, resource_group, tags")
        tags = {}
        if "tags" in match:
            for key, value in match["tags"].mapping().items():
                # Azure tag values are strings: `prod: true` means the text "true".
                tags[key] = value.text()
        selector = ClusterSelector(
            id_glob=match["id"].string() if "id" in match else None,
            resource_group_glob=(
                match["resource_group"].string() if "resource_group" in match else None
            ),
            tags=tags,
        )
        workloads: list[Workload] = []
        for item in _optional_sequence(entry.get("workloads")):
            workloads.extend(self._workloads(item))
        gateways: list[GatewayConfig] = []
        if "manifests" in entry:
            for read in self._manifest_reads(entry["manifests"]):
                workloads.extend(read.workloads)
                gateways.extend(read.gateways)
        outbound = entry.get("allowed_outbound_types")
        egress = entry.get("allowed_egress")
        return ClusterPolicy(
            selector=selector,
            workloads=tuple(workloads),
            gateway_configs=tuple(gateways),
            allowed_outbound_types=None if outbound is None else self._outbound_types(outbound),
            allowed_egress=None
            if egress is None
            else tuple(_network(i) for i in egress.sequence()),
            rule_overrides=(
                self._rules(entry["rules"], allow_enabled=False)[1] if "rules" in entry else {}
            ),
            location=SourceLocation(node.source, node.line),
            outbound_types_location=(
                None if outbound is None else SourceLocation(outbound.source, outbound.line)
            ),
            allowed_egress_location=(
                None if egress is None else SourceLocation(egress.source, egress.line)
            ),
        )

    def _outbound_types(self, node: YNode) -> tuple[str, ...]:
        known = {t.lower() for t in KNOWN_OUTBOUND_TYPES}
        for item in node.sequence():
            value = item.string()
            if value.lower() not in known:
                self.warnings.append(
                    f"{item.source}:{item.line}: {item.path}: {quoted(value)} is not an outbound "
                    f"type AKS documents ({', '.join(KNOWN_OUTBOUND_TYPES)}); no cluster will "
                    "match it"
                )
        return node.strings()

    def _workloads(self, node: YNode) -> list[Workload]:
        """A declared workload, plus those read from the manifests it lists."""
        entry = node.mapping(_WORKLOAD_KEYS)
        if "name" not in entry:
            raise node.error("missing key 'name'")
        name = entry["name"].string()
        idle = entry.get("max_idle_seconds")
        peak = entry.get("peak_connections_per_node")
        found = []
        if idle is not None or peak is not None or "manifests" not in entry:
            found.append(
                Workload(
                    name=name,
                    max_idle_seconds=None if idle is None else idle.integer(minimum=1),
                    peak_connections_per_node=None if peak is None else peak.integer(minimum=1),
                    location=SourceLocation(node.source, (idle or peak or node).line),
                    peak_location=None if peak is None else SourceLocation(peak.source, peak.line),
                )
            )
        if "manifests" in entry:
            for read in self._manifest_reads(entry["manifests"]):
                found.extend(read.workloads)
        return found

    def _manifest_reads(self, node: YNode) -> list[manifests.ManifestRead]:
        items = [node] if _is_scalar(node) else _optional_sequence(node)
        found: list[manifests.ManifestRead] = []
        for item in items:
            relative = item.string()
            path = self.base_dir / relative
            if not path.exists():
                raise item.error(
                    f"no such file or folder: {relative} (manifest paths are relative to the "
                    "policy file's folder)"
                )
            resolved = path.resolve()
            if resolved not in self._manifests:
                from auditor import manifests

                read = manifests.read([path])
                self._manifests[resolved] = read
                self.warnings.extend(read.warnings)
            found.append(self._manifests[resolved])
        return found

    def _rules(
        self, node: YNode, *, allow_enabled: bool
    ) -> tuple[list[str], dict[str, dict[str, Override]]]:
        """`RULE_ID: {enabled: bool, <parameter>: value, ...}` → disabled IDs and overrides."""
        disabled = []
        overrides: dict[str, dict[str, Override]] = {}
        key_lines = node.key_lines()
        for rule_id, settings in node.mapping().items():
            key = rule_id.strip().upper()
            line = key_lines.get(rule_id, node.line)
            self.mentions.append(RuleMention(key, settings.path, SourceLocation(node.source, line)))
            params: dict[str, Override] = {}
            for name, value in _optional_mapping(settings).items():
                if name == "enabled":
                    if not allow_enabled:
                        raise value.error("rules are enabled or disabled globally, not per cluster")
                    if not value.boolean():
                        disabled.append(key)
                    continue
                params[name] = Override(
                    value.scalar(), SourceLocation(value.source, value.line), value.path
                )
            if params:
                overrides[key] = params
        return disabled, overrides

    def _suppression(self, node: YNode) -> Suppression:
        entry = node.mapping(_SUPPRESSION_KEYS)
        for key in _SUPPRESSION_KEYS:
            if key not in entry:
                why = " (say why the finding is accepted)" if key == "justification" else ""
                raise node.error(f"missing key {key!r}{why}")
        rule = entry["rule"]
        rule_id = rule.string().strip().upper()
        self.mentions.append(
            RuleMention(rule_id, rule.path, SourceLocation(rule.source, rule.line))
        )
        return Suppression(
            rule_id=rule_id,
            resource_glob=entry["resource"].string().strip(),
            justification=entry["justification"].string().strip(),
            expires=entry["expires"].date().isoformat(),
            location=SourceLocation(node.source, node.line),
        )


def _optional_sequence(node: YNode | None) -> list[YNode]:
    if node is None or node.is_null():
        return []
    return list(node.sequence())


def _optional_mapping(node: YNode) -> dict[str, YNode]:
    return {} if node.is_null() else node.mapping()


def _is_scalar(node: YNode) -> bool:
    import yaml

    return isinstance(node.node, yaml.ScalarNode) and not node.is_null()


def _network(node: YNode) -> Network:
    text = node.string()
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise node.error(f"{quoted(text)} is not an IP address or CIDR") from None
