"""SARIF 2.1.0 for GitHub code scanning: one run per fully read subscription.

What GitHub accepts and why each choice was made: docs/github.md and
shared/docs/sarif-github.md §5–6. In short:
- every result has exactly one physical location with a relative, scheme-less URI: the policy
  or manifest file line when the finding has one, else a stable synthetic path built from the
  lower-cased ARM ID (`azure/subscriptions/…`), line 1; the ARM ID itself rides along as a
  logical location;
- we set `partialFingerprints.primaryLocationLineHash` ourselves (upload-sarif cannot compute
  it for paths that are not files, and many findings share one policy line);
- `automationDetails.id = egress-audit/<subscription>/` makes each subscription its own
  category, so a subscription that could not be read gets no run (an empty run would close its
  alerts) and its failure is a notification in the runs that are written;
- suppressed findings are results with `suppressions: [{kind: external, status: accepted,
  justification}]` (SARIF §3.27.23: then every result of that run has the property, `[]` when
  active), after the active ones so a cut to GitHub's result limit drops them first; leaving
  them out would make GitHub close their alerts as fixed, and reopen them when the suppression
  expires (docs/github.md, "Suppressed findings");
- results that disappeared since the previous SARIF (`--sarif-previous`) are only in the full
  report (`--sarif-full`), as `baselineState: absent`: uploading them would open alerts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor import arm
from auditor.arm import ResourceId
from auditor.errors import UsageError
from auditor.model import CollectionError, Finding, Suppression
from auditor.result import AuditResult
from reports import sarif_split
from reports._bounded import capped
from reports.sarif_baseline import Baseline
from reports.sarif_location import artifact, repo_relative_uri
from reports.sarif_rules import (
    LEVEL,
    POLICY_WARNING,
    READ_FAIL,
    RULE_FAIL,
    UNKNOWN_RESOURCES,
    driver,
    rules,
)

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
CATEGORY_PREFIX = "egress-audit"


class TooManyFiles(UsageError):
    """The upload needs several files, but only one output was given."""


@dataclass(frozen=True, slots=True)
class Options:
    """`full` keeps absent results and GitHub's limits off (a report, not an upload);
    `previous` sets `baselineState` from an earlier SARIF."""

    full: bool = False
    previous: Baseline | None = None
    limits: sarif_split.Limits = field(default_factory=sarif_split.Limits)


def render(result: AuditResult) -> str:
    """The upload-safe SARIF as one file; a usage error if GitHub's limits need more."""
    return render_single(result, Options())


def render_single(result: AuditResult, options: Options) -> str:
    docs = documents(result, options)
    if len(docs) > 1:
        raise TooManyFiles(
            f"the SARIF needs {len(docs)} files to stay within GitHub's limits "
            f"({options.limits.runs_per_file} subscriptions per file); "
            "use --output-dir DIR instead of --output"
        )
    return serialize(docs[0] if docs else empty_log(result))


def serialize(document: Mapping[str, Any]) -> str:
    """Indented JSON with one result per line: readable as a diff (each changed result is one
    changed line) and fast for large estates, since results, the bulk of the file, go through
    json's C encoder (indented output uses the pure-Python one)."""
    runs = [{**run, "results": _RESULTS} for run in document.get("runs", [])]
    text = json.dumps({**document, "runs": runs}, indent=2, ensure_ascii=False)
    pieces = text.split(json.dumps(_RESULTS))
    out = [pieces[0]]
    for run, piece in zip(document.get("runs", []), pieces[1:], strict=True):
        out.append(_results_block(run["results"]))
        out.append(piece)
    return "".join(out) + "\n"


# A placeholder no real value can equal: json escapes the NUL characters as \u0000.
_RESULTS = "\x00results\x00"
_RESULT_INDENT = " " * 8


def _results_block(results: Sequence[Mapping[str, Any]]) -> str:
    if not results:
        return "[]"
    lines = ",\n".join(
        _RESULT_INDENT + json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) for r in results
    )
    return f"[\n{lines}\n{_RESULT_INDENT[:-2]}]"


def documents(result: AuditResult, options: Options) -> list[dict[str, Any]]:
    """The SARIF files to write, each within GitHub's limits (the full report is one file).

    Empty when no subscription was fully read: there is nothing that can be uploaded safely.
    """
    listed = rules(result)
    rule_index = {rule.id: index for index, rule in enumerate(listed)}
    shared = _Shared(
        tool=driver(result, listed),
        rule_index=rule_index,
        failures=_failure_notifications(result, rule_index),
        configuration=[_notification(POLICY_WARNING, "warning", w) for w in result.warnings],
        unknown=_unknown_ids(result),
        options=options,
    )
    runs = [
        _bounded(_run(result, subscription, findings, shared))
        for subscription, findings in _subscription_findings(result).items()
    ]
    if options.full:
        return [_log(runs)] if runs else []
    return [_log(chunk) for chunk in sarif_split.pack(runs, options.limits, _log)]


def empty_log(result: AuditResult) -> dict[str, Any]:
    """A valid SARIF with no run: every subscription failed, so no category may be replaced."""
    log = _log([])
    log["properties"] = capped(
        {
            "partial": result.is_partial,
            "collectedAt": result.collected_at,
            "notReadSubscriptions": sorted(_failed_subscriptions(result)),
            "collectionErrors": [_collection_error_properties(e) for e in result.collection_errors],
        }
    )
    return log


def _bounded(run: dict[str, Any]) -> dict[str, Any]:
    """A run with every string from the inputs capped (the tool's own rule help is not)."""
    return {key: value if key == "tool" else capped(value) for key, value in run.items()}


def _log(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": list(runs)}


# --- runs ------------------------------------------------------------------------------------


def _failed_subscriptions(result: AuditResult) -> set[str]:
    return {s.lower() for error in result.collection_errors for s in error.subscriptions}


def _subscription_findings(result: AuditResult) -> dict[str, list[Finding]]:
    """Findings of each fully read subscription, in the audit's (severity-first) order."""
    failed = _failed_subscriptions(result)
    grouped: dict[str, list[Finding]] = {s: [] for s in result.subscriptions if s not in failed}
    for finding in result.findings:
        subscription = finding.parts.subscription_id.lower()
        if subscription in grouped:
            grouped[subscription].append(finding)
    return grouped


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every run of one audit has in common (computed once, not per subscription)."""

    tool: Mapping[str, Any]
    rule_index: Mapping[str, int]
    failures: Sequence[Mapping[str, Any]]
    configuration: Sequence[Mapping[str, Any]]
    unknown: Mapping[str, Sequence[str]]
    options: Options


def _run(
    result: AuditResult, subscription: str, findings: Sequence[Finding], shared: _Shared
) -> dict[str, Any]:
    automation_id = f"{CATEGORY_PREFIX}/{subscription}/"
    full = shared.options.full
    fingerprints = [finding.fingerprint for finding in findings]
    hashes = _line_hashes(fingerprints)
    order = sorted(range(len(findings)), key=lambda i: findings[i].suppression is not None)
    results = [_result(findings[i], shared.rule_index, fingerprints[i], hashes[i]) for i in order]
    if shared.options.previous is not None:
        results = shared.options.previous.apply(
            automation_id, results, shared.rule_index, include_absent=full
        )
    if any("suppressions" in r for r in results):
        results = [r if "suppressions" in r else {**r, "suppressions": []} for r in results]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    execution = [*shared.failures, *_unknown_notification(subscription, shared.unknown)]
    if execution:
        invocation["toolExecutionNotifications"] = execution
    if shared.configuration:
        invocation["toolConfigurationNotifications"] = list(shared.configuration)
    return {
        "tool": {"driver": shared.tool},
        "automationDetails": {"id": automation_id},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "subscriptionId": subscription,
            "collectedAt": result.collected_at,
            "partial": result.is_partial,
        },
    }


def _line_hashes(fingerprints: Sequence[str]) -> list[str]:
    """`<fingerprint prefix>:<occurrence>`: unique even if a rule repeats a finding, and
    stable because the findings are sorted and suppressed ones are counted too."""
    seen: dict[str, int] = defaultdict(int)
    hashes = []
    for fingerprint in fingerprints:
        prefix = fingerprint[:16]
        seen[prefix] += 1
        hashes.append(f"{prefix}:{seen[prefix]}")
    return hashes


def _failure_notifications(
    result: AuditResult, rule_index: Mapping[str, int]
) -> list[dict[str, Any]]:
    """Scopes that could not be read and rules that failed: in every run that is written."""
    notifications = []
    for error in result.collection_errors:
        status = f" (HTTP {error.status})" if error.status else ""
        properties = _collection_error_properties(error)
        if not error.subscriptions:
            text = f"Scope {error.scope} could not be read{status}: {error.message}"
            notifications.append(_notification(READ_FAIL, "error", text, properties))
        for failed in sorted({s.lower() for s in error.subscriptions}):
            text = (
                f"Subscription {failed} could not be read{status}: {error.message}. "
                "It has no run, so its alerts stay as they were."
            )
            notifications.append(_notification(READ_FAIL, "error", text, properties))
    for rule_error in result.rule_errors:
        text = f"Rule {rule_error.rule_id} failed: {rule_error.message}"
        notification = _notification(RULE_FAIL, "error", text)
        if rule_error.rule_id in rule_index:
            notification["associatedRule"] = {
                "id": rule_error.rule_id,
                "index": rule_index[rule_error.rule_id],
            }
        notifications.append(notification)
    return notifications


def _unknown_notification(
    subscription: str, unknown: Mapping[str, Sequence[str]]
) -> list[dict[str, Any]]:
    ids = unknown.get(subscription)
    if not ids:
        return []
    text = (
        f"{len(ids)} resources that clusters of subscription {subscription} route through are "
        "not in the snapshot (out of scope or unreadable); their egress paths are reported as "
        "unknown, never as missing."
    )
    return [_notification(UNKNOWN_RESOURCES, "warning", text, {"resourceIds": list(ids)})]


def _unknown_ids(result: AuditResult) -> dict[str, list[str]]:
    """Per subscription, the unread resources its clusters' egress paths run through."""
    found: dict[str, set[ResourceId]] = defaultdict(set)
    for cluster in result.clusters:
        for pool in cluster.pools:
            for path in (pool.egress, pool.pod_egress):
                if path is not None:
                    found[cluster.subscription_id.lower()].update(path.unknown_ids)
    return {sub: [i.text for i in sorted(ids)] for sub, ids in found.items() if ids}


def _collection_error_properties(error: CollectionError) -> dict[str, Any]:
    return {
        "scope": error.scope,
        "status": error.status,
        "subscriptions": sorted(s.lower() for s in error.subscriptions),
    }


def _notification(
    descriptor: str, level: str, text: str, properties: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "descriptor": {"id": descriptor},
        "level": level,
        "message": {"text": text},
    }
    if properties:
        notification["properties"] = dict(properties)
    return notification


# --- results -----------------------------------------------------------------------------------


def _result(
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
