"""The JSON report: everything the audit knows, in a stable order."""

from __future__ import annotations

import json
from typing import Any

from auditor.enums import AzureValue
from auditor.model import Severity
from auditor.result import AuditResult
from reports._bounded import capped
from reports._egress import finding_document, path_document, text_or_none


def document(result: AuditResult) -> dict[str, Any]:
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
        "clusters": [
            {
                "id": c.id.text,
                "name": c.name,
                "subscriptionId": c.subscription_id,
                "resourceGroup": c.resource_group,
                "location": c.location,
                "outboundType": c.outbound_type,
                "networkPlugin": c.network_plugin,
                "networkPluginMode": c.network_plugin_mode,
                "powerState": value_of(c.power_state),
                "egressIps": list(c.egress_ips),
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
                    for p in c.pools
                ],
            }
            for c in result.clusters
        ],
        "findings": [finding_document(f) for f in result.findings],
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


def value_of(value: AzureValue | None) -> str | None:
    return None if value is None else str(value)


def render(result: AuditResult) -> str:
    # Compact on purpose: json's C encoder only runs without indent (pipe through jq to read).
    # NaN is not JSON: the inputs refuse it, and a report must never carry it.
    text = json.dumps(
        capped(document(result)), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text + "\n"
