"""The policy file (`egress-audit.yaml`): what the estate should be, per cluster selector.

This module holds the policy as the rules read it; auditor/policy_file.py reads the file,
line-aware (auditor/yamlnode.py): every error names the file, the line and the key path,
e.g. `egress-audit.yaml:12: clusters[0].workloads[0].max_idle_seconds: expected an integer`.
The full format is documented in docs/policy.md.
"""

from __future__ import annotations

import difflib
import fnmatch
import ipaddress
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from auditor.errors import InputError
from auditor.graph.nodes import Cluster
from auditor.model import SourceLocation, Suppression
from auditor.policy_index import SelectorIndex
from auditor.safetext import quoted
from auditor.workload import GatewayConfig
from auditor.workload import Workload as Workload

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
        """Every part given matches: globs without case (`*` crosses `/`), tags exactly."""
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
    # Which entries match a cluster, looked up rather than tried one by one (made on first use).
    _index: SelectorIndex[ClusterPolicy] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _selectors(self) -> SelectorIndex[ClusterPolicy]:
        index = self._index
        if index is None:
            index = SelectorIndex(self.clusters)
            object.__setattr__(self, "_index", index)
        return index

    def for_cluster(self, cluster: Cluster) -> list[ClusterPolicy]:
        """The entries whose selector matches the cluster, in file order."""
        return self._selectors().matching(cluster)

    def unmatched_entries(self, clusters: Iterable[Cluster]) -> list[int]:
        """The indexes of the entries that match none of `clusters`."""
        return self._selectors().unmatched(clusters)

    def workloads(self, cluster: Cluster) -> list[Workload]:
        return [w for entry in self.for_cluster(cluster) for w in entry.workloads]

    def gateway_configs(self, cluster: Cluster) -> list[GatewayConfig]:
        """The StaticGatewayConfigurations of the entries matching the cluster, each
        (namespace, name) once: a manifest listed by two entries is one configuration."""
        found: dict[tuple[str, str], GatewayConfig] = {}
        for entry in self.for_cluster(cluster):
            for config in entry.gateway_configs:
                found.setdefault((config.namespace, config.name), config)
        return list(found.values())

    def config(self, rule_id: str, config_type: type[C], cluster: Cluster | None = None) -> C:
        """A rule's thresholds: the dataclass defaults, then global overrides, then those of
        the cluster entries that match (later entries win). Made once per set of matching
        entries (a Config is frozen): rules ask for every cluster and resource."""
        numbers = () if cluster is None else self._selectors().numbers(cluster)
        made = self._selectors().configs
        key = (rule_id, config_type, numbers)
        found = made.get(key)
        if found is None:
            values = {k: o.value for k, o in self.rule_overrides.get(rule_id, {}).items()}
            for number in numbers:
                overrides = self.clusters[number].rule_overrides.get(rule_id, {})
                values.update((k, o.value) for k, o in overrides.items())
            found = made[key] = config_type(**values)
        return cast("C", found)

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
    from auditor.policy_file import load as load_file

    return load_file(path, display_name)


def parse(text: str, source: str, base_dir: Path | None = None) -> Policy:
    """Parse a policy file's text. `manifests` paths are relative to `base_dir` (the policy
    file's folder; by default the folder of `source`)."""
    from auditor.policy_file import parse as parse_file

    return parse_file(text, source, base_dir)
