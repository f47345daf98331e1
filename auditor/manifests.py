"""Workload needs from annotations on Kubernetes manifests.

A policy entry may list manifest files or folders; every `*.yaml` / `*.yml` file there is read
(all documents, `kind: List` items included). The pod templates of Deployment, StatefulSet,
DaemonSet, Job and CronJob objects may carry

    egress-audit.io/max-idle-seconds: "600"
    egress-audit.io/peak-connections-per-node: "400"

on the workload's `metadata.annotations` or on its pod template's (the template wins when both
set the same annotation: it is what the pods carry). Each annotated object becomes a Workload
named `<kind>/<namespace>/<name>` whose location is the annotation's line, so a finding driven
by it points at the manifest. Helm templates are not rendered: a file containing `{{` is skipped
with a warning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from auditor.errors import InputError
from auditor.files import read_text
from auditor.model import SourceLocation
from auditor.safetext import quoted
from auditor.workload import GatewayConfig, Workload
from auditor.yamlnode import YNode, compose_all

MAX_IDLE = "egress-audit.io/max-idle-seconds"
PEAK_CONNECTIONS = "egress-audit.io/peak-connections-per-node"
ANNOTATIONS = (MAX_IDLE, PEAK_CONNECTIONS)

SUFFIXES = (".yaml", ".yml")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
# [AKS-SEG]: egressgateway.kubernetes.azure.com/v1alpha1
GATEWAY_KIND = "StaticGatewayConfiguration"

_WHOLE_NUMBER = re.compile(r"^\s*\+?\d+\s*$")
# More digits than any count or number of seconds needs: refused before it is converted.
_MAX_DIGITS = 15


@dataclass(frozen=True, slots=True)
class ManifestRead:
    workloads: tuple[Workload, ...]
    warnings: tuple[str, ...]
    gateways: tuple[GatewayConfig, ...] = ()


def display_path(path: Path) -> str:
    """How a manifest is named in findings: relative to the current directory, with forward
    slashes (what SARIF and GitHub code scanning resolve against the checkout)."""
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows: no relative form exists
        return path.as_posix()


def manifest_files(path: Path) -> list[Path]:
    """A file as given, or every YAML file below a folder, in a stable order."""
    if path.is_file():
        return [path]
    return sorted(
        (p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()),
        key=lambda p: p.as_posix(),
    )


def read(paths: Sequence[Path]) -> ManifestRead:
    """The annotated workloads of every manifest under `paths` (which must exist)."""
    workloads: list[Workload] = []
    gateways: list[GatewayConfig] = []
    warnings: list[str] = []
    for path in paths:
        for file in manifest_files(path):
            shown = display_path(file)
            text = read_text(file, shown)
            if "{{" in text:
                warnings.append(
                    f"{shown}: skipped: a Helm template is not rendered (render it with "
                    "`helm template` and point `manifests` at the output)"
                )
                continue
            found, configs = from_text(text, shown, warnings)
            workloads.extend(found)
            gateways.extend(configs)
    return ManifestRead(tuple(workloads), tuple(warnings), tuple(gateways))


def from_text(
    text: str, source: str, warnings: list[str] | None = None
) -> tuple[list[Workload], list[GatewayConfig]]:
    """The annotated workloads and the StaticGatewayConfigurations of one manifest file's
    text; `source` names it in errors."""
    workloads: list[Workload] = []
    gateways: list[GatewayConfig] = []
    for document in compose_all(text, source, warnings):
        for kind, node in _objects(document):
            if kind == GATEWAY_KIND:
                config = _gateway(node)
                if config is not None:
                    gateways.append(config)
                continue
            workload = _workload((kind, node))
            if workload is not None:
                workloads.append(workload)
    return workloads, gateways


def _objects(node: YNode) -> Iterator[tuple[str, YNode]]:
    """(kind, object) of every workload object in a document, unwrapping `kind: List`."""
    fields = _fields(node)
    kind = _text(fields.get("kind"))
    if kind == "List" and "items" in fields and _is(fields["items"], yaml.SequenceNode):
        for item in fields["items"].sequence():
            yield from _objects(item)
    elif kind in WORKLOAD_KINDS or kind == GATEWAY_KIND:
        yield kind, node


def _workload(obj: tuple[str, YNode]) -> Workload | None:
    kind, node = obj
    fields = _fields(node)
    metadata = _fields(fields.get("metadata"))
    name = _text(metadata.get("name")) or _text(metadata.get("generateName")) or "unnamed"
    namespace = _text(metadata.get("namespace")) or "default"
    label = f"{kind}/{namespace}/{name}"
    spec = _fields(fields.get("spec"))
    if kind == "CronJob":
        spec = _fields(_fields(spec.get("jobTemplate")).get("spec"))
    template_metadata = _fields(_fields(spec.get("template")).get("metadata"))
    # The pod template's annotations are the pods' own: they win over the workload's.
    values = {
        key: value
        for declared in (metadata.get("annotations"), template_metadata.get("annotations"))
        for key, value in _fields(declared).items()
        if key in ANNOTATIONS
    }
    if not values:
        return None
    idle = values.get(MAX_IDLE)
    peak = values.get(PEAK_CONNECTIONS)
    idle_location = None if idle is None else SourceLocation(idle.source, idle.line)
    peak_location = None if peak is None else SourceLocation(peak.source, peak.line)
    return Workload(
        name=label,
        max_idle_seconds=None if idle is None else _count(idle, label),
        peak_connections_per_node=None if peak is None else _count(peak, label),
        location=idle_location or peak_location,
        peak_location=peak_location,
    )


def _gateway(node: YNode) -> GatewayConfig | None:
    """A StaticGatewayConfiguration; one that names no gateway pool (a self-managed gateway
    scale set, `gatewayVmssProfile`) is not an AKS gateway pool's and is left out."""
    fields = _fields(node)
    metadata = _fields(fields.get("metadata"))
    spec = _fields(fields.get("spec"))
    pool = _text(spec.get("gatewayNodepoolName"))
    if not pool:
        return None
    public = _text(spec.get("provisionPublicIps")).lower() not in ("false", "no", "off")
    return GatewayConfig(
        name=_text(metadata.get("name")) or "unnamed",
        namespace=_text(metadata.get("namespace")) or "default",
        pool=pool,
        prefix_id=_text(spec.get("publicIpPrefixId")) or None,
        public=public,
        location=SourceLocation(node.source, node.line),
    )


def _count(node: YNode, label: str) -> int:
    """An annotation holding a whole number ≥ 1 (annotation values are strings in Kubernetes)."""
    value = node.scalar() if _is(node, yaml.ScalarNode) else None
    if isinstance(value, str) and _WHOLE_NUMBER.match(value):
        if len(value.strip().lstrip("+")) > _MAX_DIGITS:
            raise InputError(
                f"{node.source}:{node.line}",
                f"{label} annotation {_annotation(node.path)}",
                f"number out of range (at most {_MAX_DIGITS} digits)",
            )
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(
            f"{node.source}:{node.line}",
            f"{label} annotation {_annotation(node.path)}",
            f'expected a whole number, e.g. "600", not {_shown(node)}',
        )
    if value < 1:
        raise InputError(
            f"{node.source}:{node.line}",
            f"{label} annotation {_annotation(node.path)}",
            "must be at least 1",
        )
    return value


def _annotation(path: str) -> str:
    return next((name for name in ANNOTATIONS if path.endswith(name)), path)


def _shown(node: YNode) -> str:
    if _is(node, yaml.ScalarNode):
        return quoted(node.node.value)
    return "a list or mapping"


def _fields(node: YNode | None) -> dict[str, YNode]:
    """A mapping's entries; anything else (absent, null, a list) reads as empty: a manifest's
    other fields are Kubernetes' business, not ours."""
    if node is None or not _is(node, yaml.MappingNode):
        return {}
    fields = {}
    for key_node, value_node in node.node.value:
        if isinstance(key_node, yaml.ScalarNode) and isinstance(key_node.value, str):
            key = key_node.value
            path = f"{node.path}.{key}" if node.path else key
            fields[key] = YNode(node.source, path, value_node)
    return fields


def _text(node: YNode | None) -> str:
    if node is None or not _is(node, yaml.ScalarNode):
        return ""
    return str(node.node.value).strip()


def _is(node: YNode, node_type: type[yaml.Node]) -> bool:
    return isinstance(node.node, node_type)
