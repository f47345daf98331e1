"""The rules and notification descriptors of egress-audit's SARIF (`tool.driver`), with the
severity mappings GitHub reads (docs/github.md, "Security severity")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from auditor.fixtext import segments
from auditor.model import Finding, RuleMeta, Severity
from auditor.result import AuditResult

TOOL_NAME = "egress-audit"

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


def rules(result: AuditResult) -> list[RuleMeta]:
    """Every rule the audit ran, plus a stand-in for a finding whose rule is not listed."""
    ran = list(result.rules)
    known = {rule.id for rule in ran}
    missing = sorted({f.rule_id for f in result.findings} - known)
    return ran + [_stand_in_rule(rule_id, result.findings) for rule_id in missing]


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


def driver(result: AuditResult, listed: Sequence[RuleMeta]) -> dict[str, Any]:
    """`tool.driver`: every rule (GitHub needs the rules of every alert it may close), and the
    descriptors of the notifications the runs may carry."""
    return {
        "name": TOOL_NAME,
        "semanticVersion": result.tool_version,
        "rules": [_rule_descriptor(rule) for rule in listed],
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
        f"**Severity**: {rule.severity_text}",
        "**Why**",
        rule.help_markdown,
        "**Remediation**",
        _fix_markdown(rule.remediation, fence),
    ]
    if rule.sources:
        parts += ["**Sources**", "\n".join(f"- <{url}>" for url in rule.sources)]
    return "\n\n".join(parts)


def _fix_markdown(text: str, fence: str) -> str:
    """A command alone as a shell block; prose with commands is Markdown already."""
    pieces = segments(text)
    if len(pieces) == 1 and pieces[0][1]:
        return f"{fence}sh\n{text}\n{fence}"
    return text


def _help_text(rule: RuleMeta) -> str:
    parts = [
        rule.description,
        f"Severity: {rule.severity_text}",
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
