"""One SARIF result: a finding with its location, fingerprints and suppression (see the rules
of each choice in reports/sarif.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from auditor import arm
from auditor.model import Finding, Suppression
from reports.sarif_location import artifact, repo_relative_uri
from reports.sarif_rules import LEVEL


def line_hashes(fingerprints: Sequence[str]) -> list[str]:
    """`<fingerprint prefix>:<occurrence>`: unique even if a rule repeats a finding, and
    stable because the findings are sorted and suppressed ones are counted too."""
    seen: dict[str, int] = defaultdict(int)
    hashes = []
    for fingerprint in fingerprints:
        prefix = fingerprint[:16]
        seen[prefix] += 1
        hashes.append(f"{prefix}:{seen[prefix]}")
    return hashes


def result_object(
    finding: Finding, rule_index: Mapping[str, int], fingerprint: str, line_hash: str
) -> dict[str, Any]:
    parts = finding.parts
    message = finding.message
    if finding.remediation:
        # GitHub shows the message, not the properties: the concrete fix belongs in it.
        message = f"{message} Fix: {finding.remediation}"
    properties: dict[str, Any] = {
        "resourceId": finding.resource_id.text,
        "subscriptionId": parts.subscription_id.lower(),
        "resourceGroup": parts.resource_group,
        "resourceType": parts.resource_type,
        "resourceName": parts.name,
        "severity": finding.severity.value,
    }
    if finding.observed is not None:
        properties["observed"] = finding.observed
    if finding.expected is not None:
        properties["expected"] = finding.expected
    if finding.evidence:
        properties["egressPath"] = [i.text for i in finding.evidence]
    if finding.details:
        properties["details"] = dict(sorted(finding.details.items()))
    if finding.remediation:
        properties["remediation"] = finding.remediation
    properties["fingerprint"] = fingerprint
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [_location(finding, parts)],
        "partialFingerprints": {"primaryLocationLineHash": line_hash},
        "properties": properties,
    }
    if finding.suppression is not None:
        result["suppressions"] = [_suppression(finding.suppression)]
    return result


def _location(finding: Finding, parts: arm.ResourceParts) -> dict[str, Any]:
    uri, line = artifact(finding.resource_id, finding.location)
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": line, "endLine": line},
        },
        "logicalLocations": [
            {
                "name": parts.name,
                "fullyQualifiedName": finding.resource_id.text,
                "kind": "resource",
            }
        ],
    }


def _suppression(suppression: Suppression) -> dict[str, Any]:
    entry: dict[str, Any] = {
        # The suppression lives in the policy file, not beside the resource: "external".
        "kind": "external",
        "status": "accepted",
        "justification": suppression.justification,
        "properties": {
            "expires": suppression.expires,
            "resourceGlob": suppression.resource_glob,
        },
    }
    if suppression.location is not None:
        uri = repo_relative_uri(suppression.location.path)
        if uri is not None:
            entry["location"] = {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": max(1, suppression.location.line)},
                }
            }
    return entry
