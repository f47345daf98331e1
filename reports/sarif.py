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
- the upload file leaves out suppressed results (GitHub would open them) and results that
  disappeared since the previous SARIF (`--sarif-previous`); `--sarif-full` keeps both, marked.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import quote

from auditor import arm
from auditor.errors import UsageError
from auditor.model import Finding, RuleMeta, Severity, SourceLocation, Suppression
from auditor.result import AuditResult
from reports import sarif_split
from reports.sarif_baseline import Baseline

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "egress-audit"
# TODO(lead): the project's public home page once it has one.
INFORMATION_URI = "https://github.com/egress-audit/egress-audit"
CATEGORY_PREFIX = "egress-audit"
SYNTHETIC_ROOT = "azure"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation",
    Severity.INFO: "recommendation",
}
# GitHub reads >9.0 as critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. Info has none: a
# rule whose default severity is info is not a security problem, and "0.0" would only be
# read as "no security severity" anyway, so the property is left out.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
MAX_DESCRIPTION = 1024  # GitHub: shortDescription/fullDescription text
MAX_RULE_NAME = 255
MAX_TAGS = 20

# Notification descriptors (declared in tool.driver.notifications, referenced by id).
READ_FAIL = "EA-READ-FAIL"
RULE_FAIL = "EA-RULE-FAIL"
RESULTS_CUT = "EA-RESULTS-CUT"
UNKNOWN_RESOURCES = "EA-UNKNOWN-RESOURCES"
POLICY_WARNING = "EA-POLICY-WARNING"
NOTIFICATIONS = {
    READ_FAIL: (
        "A subscription or scope could not be read.",
        "Collection failed for a subscription or scope after retries. The subscription has no "
        "run in this file, so uploading it leaves its open alerts as they were; the audit "
        "exits 4 (partial).",
    ),
    RULE_FAIL: (
        "A rule raised an error.",
        "A rule failed while checking the estate; its results are missing from every run until "
        "it runs again. The audit exits 4 (partial).",
    ),
    RESULTS_CUT: (
        "A run had more results than GitHub accepts.",
        "GitHub takes at most 25,000 results per run and 10 MB per compressed file; the run "
        "keeps its highest-severity results and says how many were cut.",
    ),
    UNKNOWN_RESOURCES: (
        "Referenced resources are not in the snapshot.",
        "Resources on an egress path are out of scope or unreadable; paths through them are "
        "reported as unknown, never as missing.",
    ),
    POLICY_WARNING: (
        "A policy entry matches nothing.",
        "A cluster entry of the policy file matches no cluster of the estate.",
    ),
}

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")  # RFC 3986 unreserved: nothing to encode


class TooManyFiles(UsageError):
    """The upload needs several files, but only one output was given."""


@dataclass(frozen=True, slots=True)
class Options:
    """`full` keeps suppressed and absent results (a report, not an upload); `previous` sets
    `baselineState` from an earlier SARIF."""

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
    rules = _rules(result)
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    driver = _driver(result, rules)
    runs = [
        _run(result, subscription, findings, driver, rule_index, options)
        for subscription, findings in _subscription_findings(result).items()
    ]
    if options.full:
        return [_log(runs)] if runs else []
    return [_log(chunk) for chunk in sarif_split.pack(runs, options.limits, _log)]


def empty_log(result: AuditResult) -> dict[str, Any]:
    """A valid SARIF with no run: every subscription failed, so no category may be replaced."""
    log = _log([])
    log["properties"] = {
        "partial": result.is_partial,
        "collectedAt": result.collected_at,
        "notReadSubscriptions": sorted(_failed_subscriptions(result)),
        "collectionErrors": [_collection_error_properties(e) for e in result.collection_errors],
    }
    return log


def _log(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": list(runs)}


# --- rules -------------------------------------------------------------------------------------


def _rules(result: AuditResult) -> list[RuleMeta]:
    """Every rule the audit ran, plus a stand-in for a finding whose rule is not listed."""
    rules = list(result.rules)
    known = {rule.id for rule in rules}
    missing = sorted({f.rule_id for f in result.findings} - known)
    return rules + [_stand_in_rule(rule_id, result.findings) for rule_id in missing]


def _stand_in_rule(rule_id: str, findings: Iterable[Finding]) -> RuleMeta:
    severity = max((f.severity for f in findings if f.rule_id == rule_id), key=lambda s: s.rank)
    text = f"Findings of {rule_id}, a rule this report has no description of."
    return RuleMeta(
        id=rule_id,
        name=rule_id.lower(),
        title=f"{rule_id} holds",
        severity=severity,
        description=text,
        help_markdown=text,
        remediation="See the message of each result.",
        sources=(),
        tags=("egress",),
        precision="medium",
    )


def _driver(result: AuditResult, rules: Sequence[RuleMeta]) -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "semanticVersion": result.tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [_rule_descriptor(rule) for rule in rules],
        "notifications": [
            {
                "id": key,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "help": {"text": full},
            }
            for key, (short, full) in sorted(NOTIFICATIONS.items())
        ],
    }


def _rule_descriptor(rule: RuleMeta) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "tags": list(dict.fromkeys(rule.tags))[:MAX_TAGS],
        "precision": rule.precision,
        "problem.severity": PROBLEM_SEVERITY[rule.severity],
    }
    # Only security rules carry a security severity: GitHub treats every rule that has one as
    # a security rule (shown as critical/high/medium/low instead of error/warning/note).
    if "security" in rule.tags and rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name[:MAX_RULE_NAME],
        "shortDescription": {"text": _clip(rule.title)},
        "fullDescription": {"text": _clip(rule.description)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "properties": properties,
    }
    if rule.sources:
        descriptor["helpUri"] = rule.sources[0]
    return descriptor


def _help_markdown(rule: RuleMeta) -> str:
    fence = "`" * max(3, _longest_backtick_run(rule.remediation) + 1)
    parts = [
        rule.description,
        "**Why**",
        rule.help_markdown,
        "**Remediation**",
        f"{fence}sh\n{rule.remediation}\n{fence}",
    ]
    if rule.sources:
        parts += ["**Sources**", "\n".join(f"- <{url}>" for url in rule.sources)]
    return "\n\n".join(parts)


def _help_text(rule: RuleMeta) -> str:
    parts = [
        rule.description,
        "Why: " + _LINK.sub(r"\1 (\2)", rule.help_markdown),
        f"Remediation: {rule.remediation}",
    ]
    if rule.sources:
        parts.append("Sources: " + " ".join(rule.sources))
    return "\n\n".join(parts)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _run(
    result: AuditResult,
    subscription: str,
    findings: Sequence[Finding],
    driver: Mapping[str, Any],
    rule_index: Mapping[str, int],
    options: Options,
) -> dict[str, Any]:
    automation_id = f"{CATEGORY_PREFIX}/{subscription}/"
    fingerprints = [finding.fingerprint for finding in findings]
    hashes = _line_hashes(fingerprints)
    results = [
        _result(finding, rule_index, fingerprints[i], hashes[i], options.full)
        for i, finding in enumerate(findings)
        if options.full or finding.suppression is None
    ]
    if options.previous is not None:
        results = options.previous.apply(
            automation_id, results, rule_index, include_absent=options.full
        )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    execution = _execution_notifications(result, subscription, rule_index)
    configuration = [_notification(POLICY_WARNING, "warning", text) for text in result.warnings]
    if execution:
        invocation["toolExecutionNotifications"] = execution
    if configuration:
        invocation["toolConfigurationNotifications"] = configuration
    return {
        "tool": {"driver": driver},
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


def _execution_notifications(
    result: AuditResult, subscription: str, rule_index: Mapping[str, int]
) -> list[dict[str, Any]]:
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
    unknown = _unknown_ids(result, subscription)
    if unknown:
        text = (
            f"{len(unknown)} resources that clusters of subscription {subscription} route "
            "through are not in the snapshot (out of scope or unreadable); their egress "
            "paths are reported as unknown, never as missing."
        )
        notifications.append(
            _notification(UNKNOWN_RESOURCES, "warning", text, {"resourceIds": unknown})
        )
    return notifications


def _unknown_ids(result: AuditResult, subscription: str) -> list[str]:
    found = {
        unknown
        for cluster in result.clusters
        if cluster.subscription_id.lower() == subscription
        for pool in cluster.pools
        for path in (pool.egress, pool.pod_egress)
        if path is not None
        for unknown in path.unknown_ids
    }
    return sorted(found, key=arm.key)


def _collection_error_properties(error: Any) -> dict[str, Any]:
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
    finding: Finding, rule_index: Mapping[str, int], fingerprint: str, line_hash: str, full: bool
) -> dict[str, Any]:
    parts = finding.parts
    message = finding.message
    if finding.remediation:
        # GitHub shows the message, not the properties: the concrete fix belongs in it.
        message = f"{message} Fix: {finding.remediation}"
    properties: dict[str, Any] = {
        "resourceId": finding.resource_id,
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
        properties["egressPath"] = list(finding.evidence)
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
    if full and finding.suppression is not None:
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
                "fullyQualifiedName": finding.resource_id,
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


def artifact(resource_id: str, location: SourceLocation | None) -> tuple[str, int]:
    """The URI and line of a result: the file it was declared in when that is a repository-
    relative path, else the synthetic path of the resource at line 1."""
    if location is not None:
        uri = repo_relative_uri(location.path)
        if uri is not None:
            return uri, max(1, location.line)
    return resource_uri(resource_id), 1


def resource_uri(resource_id: str) -> str:
    """`azure/subscriptions/<sub>/resourcegroups/<rg>/providers/…`, lower-cased (ARM IDs are
    case-insensitive and GitHub needs a stable path), every segment percent-encoded."""
    segments = [s for s in arm.key(resource_id).split("/") if s]
    return (
        "/".join([SYNTHETIC_ROOT, *(_segment(s) for s in segments)])
        if segments
        else (f"{SYNTHETIC_ROOT}/unknown")
    )


def repo_relative_uri(path: str) -> str | None:
    """A relative URI for a file path, or None when it is absolute or leaves the repository
    (GitHub rejects scheme URIs and cannot place paths outside the checkout; an absolute path
    would also make the report depend on the machine)."""
    text = path.replace("\\", "/")
    if not text or text.startswith("/") or PureWindowsPath(path).drive:
        return None
    normal = posixpath.normpath(text)
    if normal == "." or normal.startswith("../") or normal == "..":
        return None
    return "/".join(_segment(s) for s in normal.split("/"))


@functools.lru_cache(maxsize=65536)  # IDs repeat most segments: subscriptions, groups
def _segment(segment: str) -> str:
    if _PLAIN_SEGMENT.fullmatch(segment) and set(segment) != {"."}:
        return segment
    encoded = quote(segment, safe="")
    # "." and ".." are path steps, not names: encode them so the path stays where it is.
    return encoded.replace(".", "%2E") if set(encoded) == {"."} else encoded
