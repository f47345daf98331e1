"""`egress-audit graph`: the estate graph as JSON node-link, GraphML or DOT, in a stable order."""

from __future__ import annotations

import io
import json
from enum import Enum

import networkx as nx

from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Unknown, kind_of


class GraphFormat(Enum):
    JSON = "json"
    GRAPHML = "graphml"
    DOT = "dot"


def render(graph: EgressGraph, fmt: GraphFormat) -> str:
    plain = _plain(graph)
    match fmt:
        case GraphFormat.JSON:
            data = nx.node_link_data(plain, edges="edges")
            return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        case GraphFormat.GRAPHML:
            buffer = io.BytesIO()
            nx.write_graphml(plain, buffer, encoding="utf-8")
            return buffer.getvalue().decode("utf-8")
        case GraphFormat.DOT:
            return _dot(plain)


def _plain(graph: EgressGraph) -> nx.MultiDiGraph[str]:
    """A copy with only scalar attributes, one edge per relation, nodes and edges sorted."""
    plain: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for key in sorted(graph.nx.nodes):
        payload = graph.nx.nodes[key]["payload"]
        plain.add_node(
            key,
            kind="unknown" if isinstance(payload, Unknown) else kind_of(payload).slug,
            id=payload.id.text,
            name=getattr(payload, "name", ""),
        )
    relations = (
        (source, target, kind)
        for source, target, data in graph.nx.edges(data=True)
        for kind in data["kinds"]
    )
    for source, target, kind in sorted(relations):
        plain.add_edge(source, target, key=kind, kind=kind)
    return plain


def _dot(graph: nx.MultiDiGraph[str]) -> str:
    lines = ["digraph egress {", "  rankdir=LR;", "  node [shape=box];"]
    for key, data in graph.nodes(data=True):
        label = f'"{_escape(data["kind"])}\\n{_escape(data["name"])}"'
        lines.append(f"  {_quote(key)} [label={label}];")
    for source, target, kind in graph.edges(keys=True):
        lines.append(f"  {_quote(source)} -> {_quote(target)} [label={_quote(kind)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _quote(text: str) -> str:
    return f'"{_escape(text)}"'
