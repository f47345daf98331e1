"""Reading a policy file (`egress-audit.yaml`) into a Policy (auditor/policy.py).

Read line-aware (auditor/yamlnode.py): every error names the file, the line and the key path,
e.g. `egress-audit.yaml:12: clusters[0].workloads[0].max_idle_seconds: expected an integer`.
The full format is documented in docs/policy.md. Imported only when a policy file is read, so
that `egress-audit rules` does not load YAML.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.files import read_text
from auditor.model import SourceLocation, Suppression
from auditor.policy import (
    KNOWN_OUTBOUND_TYPES,
    POLICY_VERSION,
    ClusterPolicy,
    ClusterSelector,
    Network,
    Override,
    Policy,
    RuleMention,
)
from auditor.safetext import quoted
from auditor.workload import GatewayConfig, Workload

if TYPE_CHECKING:
    from auditor import manifests
    from auditor.yamlnode import YNode

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


def load(path: Path, display_name: str | None = None) -> Policy:
    source = display_name or str(path)
    return parse(read_text(path, source), source, base_dir=path.parent)


def parse(text: str, source: str, base_dir: Path | None = None) -> Policy:
    """Parse a policy file's text (see policy.parse)."""
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
        gateways: list[GatewayConfig] = []
        for item in _optional_sequence(entry.get("workloads")):
            self._add_workload(item, workloads, gateways)
        if "manifests" in entry:
            self._add_manifests(entry["manifests"], workloads, gateways)
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

    def _add_workload(
        self, node: YNode, workloads: list[Workload], gateways: list[GatewayConfig]
    ) -> None:
        """A declared workload, plus the workloads and StaticGatewayConfigurations read from
        the manifests it lists."""
        entry = node.mapping(_WORKLOAD_KEYS)
        if "name" not in entry:
            raise node.error("missing key 'name'")
        name = entry["name"].string()
        idle = entry.get("max_idle_seconds")
        peak = entry.get("peak_connections_per_node")
        if idle is not None or peak is not None or "manifests" not in entry:
            workloads.append(
                Workload(
                    name=name,
                    max_idle_seconds=None if idle is None else idle.integer(minimum=1),
                    peak_connections_per_node=None if peak is None else peak.integer(minimum=1),
                    location=SourceLocation(node.source, (idle or peak or node).line),
                    peak_location=None if peak is None else SourceLocation(peak.source, peak.line),
                )
            )
        if "manifests" in entry:
            self._add_manifests(entry["manifests"], workloads, gateways)

    def _add_manifests(
        self, node: YNode, workloads: list[Workload], gateways: list[GatewayConfig]
    ) -> None:
        """The workloads and StaticGatewayConfigurations of the manifests `node` lists (a
        file or folder, or a list of them), each file read once per policy."""
        items = [node] if _is_scalar(node) else _optional_sequence(node)
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
            workloads.extend(self._manifests[resolved].workloads)
            gateways.extend(self._manifests[resolved].gateways)

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
