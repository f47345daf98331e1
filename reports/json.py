"""The JSON report: everything the audit knows, in a stable order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.enums import AzureValue
from auditor.model import Severity
from auditor.result import AuditResult, ClusterEgress
from reports._bounded import MAX_SHOWN, capped
from reports._egress import finding_document, path_document, text_or_none
from reports._json_text import compact_text


def document(result: AuditResult) -> dict[str, Any]:
    return {
        key: list(value) if isinstance(value, Iterator) else value
        for key, value in _fields(result).items()
    }


def _fields(result: AuditResult) -> dict[str, Any]:
    """The document's fields in order; the two that grow with the estate (clusters and
    findings) as iterators, so `chunks` can encode them one item at a time."""
    by_severity = {s.value: 0 for s in reversed(Severity)}
    for finding in result.active_findings:
        by_severity[finding.severity.value] += 1
    return {
        "tool": {"name": "egress-audit", "version": result.tool_version},
        "source": result.source,
        "collectedAt": result.collected_at,
        "baseline": result.baseline,
        "scope": dict(result.scope),
        "partial": result.is_partial,
        "summary": {
            "clusters": len(result.clusters),
            "nodePools": sum(len(c.pools) for c in result.clusters),
            "findings": by_severity,
            "suppressed": len(result.findings) - len(result.active_findings),
        },
        "clusters": (cluster_document(c) for c in result.clusters),
        "findings": (finding_document(f) for f in result.findings),
        "ruleErrors": [{"ruleId": e.rule_id, "message": e.message} for e in result.rule_errors],
        "collectionErrors": [
            {
                "scope": e.scope,
                "status": e.status,
                "message": e.message,
                "subscriptions": list(e.subscriptions),
            }
            for e in result.collection_errors
        ],
        "warnings": list(result.warnings),
        "unknownResources": [i.text for i in result.unknown_ids],
        "rules": [
            {"id": r.id, "name": r.name, "title": r.title, "severity": r.severity.value}
            for r in result.rules
        ],
    }


def cluster_document(cluster: ClusterEgress) -> dict[str, Any]:
    return {
        "id": cluster.id.text,
        "name": cluster.name,
        "subscriptionId": cluster.subscription_id,
        "resourceGroup": cluster.resource_group,
        "location": cluster.location,
        "outboundType": cluster.outbound_type,
        "networkPlugin": cluster.network_plugin,
        "networkPluginMode": cluster.network_plugin_mode,
        "powerState": value_of(cluster.power_state),
        "egressIps": list(cluster.egress_ips),
        "nodePools": [
            {
                "id": p.id.text,
                "name": p.name,
                "mode": value_of(p.mode),
                "osType": value_of(p.os_type),
                "count": p.count,
                "powerState": value_of(p.power_state),
                "nodeSubnetId": text_or_none(p.node_subnet_id),
                "egress": path_document(p.egress),
                "podSubnetId": text_or_none(p.pod_subnet_id),
                "podEgress": path_document(p.pod_egress),
            }
            for p in cluster.pools
        ],
        "workloads": [
            {
                "label": w.label,
                "kind": "static-egress-gateway" if w.gateway else "virtual-nodes",
                "name": w.name,
                "subjectId": w.subject_id.text,
                "subnetId": text_or_none(w.subnet_id),
                "egress": path_document(w.egress),
            }
            for w in cluster.workloads
        ],
    }


def value_of(value: AzureValue | None) -> str | None:
    return None if value is None else str(value)


def render(result: AuditResult) -> str:
    return "".join(chunks(result))


def chunks(result: AuditResult) -> Iterator[str]:
    """The text of `document(result)` with every string capped, each cluster and finding
    encoded on its own: the whole document is never built. Compact on purpose: json's C
    encoder only runs without indent (pipe through jq to read)."""
    for index, (key, value) in enumerate(_fields(result).items()):
        yield ("{" if index == 0 else ",") + compact_text(key) + ":"
        if isinstance(value, Iterator):
            yield "["
            for position, item in enumerate(value):
                yield ("," if position else "") + _capped_text(item)
            yield "]"
        else:
            yield _capped_text(value)
    yield "}\n"


def _capped_text(value: Any) -> str:
    """The text of `capped(value)`. Encoded as it is first: a string longer than the cap
    makes the text longer still (JSON only adds quotes and escapes), so text within the cap
    has nothing to cut, which is the case of nearly every cluster and finding."""
    text = compact_text(value)
    return text if len(text) <= MAX_SHOWN else compact_text(capped(value))
