"""Plain-data views of egress paths and findings shared by the JSON-like reporters."""

from __future__ import annotations

from typing import Any

from auditor.arm import ResourceId
from auditor.model import EgressPath, Finding, Hop


def text_or_none(resource_id: ResourceId | None) -> str | None:
    return None if resource_id is None else resource_id.text


def hop_document(hop: Hop) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": hop.kind.slug}
    if hop.id is not None:
        document["id"] = hop.id.text
    if hop.address is not None:
        document["address"] = hop.address
    return document


def path_document(path: EgressPath | None) -> dict[str, Any] | None:
    if path is None:
        return None
    return {
        "kind": path.kind.slug,
        "subnetId": text_or_none(path.subnet_id),
        "hops": [hop_document(hop) for hop in path.hops],
        "deviceId": text_or_none(path.device_id),
        "publicIps": None if path.public_ips is None else list(path.public_ips),
        "mayLeaveFrom": list(path.may_leave_from),
        "cause": None if path.cause is None else path.cause.name.lower().replace("_", "-"),
        "idleTimeoutMinutes": path.idle_timeout_minutes,
        "nextHopIp": path.next_hop_ip,
        "reason": path.reason or None,
        "unknownIds": [i.text for i in path.unknown_ids],
    }


def finding_document(finding: Finding) -> dict[str, Any]:
    parts = finding.parts
    suppression = finding.suppression
    return {
        "ruleId": finding.rule_id,
        "severity": finding.severity.value,
        "resourceId": finding.resource_id.text,
        "subscriptionId": parts.subscription_id,
        "resourceGroup": parts.resource_group,
        "resourceType": parts.resource_type,
        "message": finding.message,
        "observed": finding.observed,
        "expected": finding.expected,
        "remediation": finding.remediation,
        "evidence": [i.text for i in finding.evidence],
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
