"""Plain-data views of egress paths shared by the JSON-like reporters."""

from __future__ import annotations

from typing import Any

from auditor.model import EgressPath, Finding


def path_document(path: EgressPath | None) -> dict[str, Any] | None:
    if path is None:
        return None
    return {
        "kind": path.kind.value,
        "subnetId": path.subnet_id,
        "hops": list(path.hops),
        "deviceId": path.device_id,
        "publicIps": None if path.public_ips is None else list(path.public_ips),
        "idleTimeoutMinutes": path.idle_timeout_minutes,
        "nextHopIp": path.next_hop_ip,
        "reason": path.reason or None,
        "unknownIds": list(path.unknown_ids),
    }


def finding_document(finding: Finding) -> dict[str, Any]:
    parts = finding.parts
    suppression = finding.suppression
    return {
        "ruleId": finding.rule_id,
        "severity": finding.severity.value,
        "resourceId": finding.resource_id,
        "subscriptionId": parts.subscription_id,
        "resourceGroup": parts.resource_group,
        "resourceType": parts.resource_type,
        "message": finding.message,
        "observed": finding.observed,
        "expected": finding.expected,
        "remediation": finding.remediation,
        "evidence": list(finding.evidence),
        "location": None
        if finding.location is None
        else {"path": finding.location.path, "line": finding.location.line},
        "details": dict(sorted(finding.details.items())),
        "fingerprint": finding.fingerprint,
        "suppressed": None
        if suppression is None
        else {
            "justification": suppression.justification,
            "expires": suppression.expires,
            "resourceGlob": suppression.resource_glob,
        },
    }
