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
  report (`--sarif-full`), as `baselineState: absent`: uploading them would open alerts;
- every run of an upload lists every rule the audit ran (the rules GitHub shows as checked for
  that category); a run of the full report, which is never uploaded, lists only the rules its
  results and notifications refer to, so a report over thousands of subscriptions does not
  repeat the whole catalogue thousands of times.

Logs are written run by run (reports/sarif_write.py): memory does not grow with the number of
subscriptions, and the limits of a single upload file are checked before anything is written.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.arm import ResourceId
from auditor.errors import UsageError
from auditor.model import CollectionError, Finding
from auditor.result import AuditResult
from auditor.wording import counted
from reports import sarif_split
from reports._bounded import capped
from reports.sarif_baseline import Baseline
from reports.sarif_result import line_hashes, result_object
from reports.sarif_rules import (
    POLICY_WARNING,
    READ_FAIL,
    RULE_FAIL,
    UNKNOWN_RESOURCES,
    driver,
    rules,
)
from reports.sarif_write import Writer

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
    return "".join(chunks(result))


def chunks(result: AuditResult) -> Iterator[str]:
    return single(result, Options())


def render_single(result: AuditResult, options: Options) -> str:
    return "".join(single(result, options))


def single(result: AuditResult, options: Options) -> Iterator[str]:
    """The one file of `--output FILE` (or standard output) in pieces: the full report run by
    run, or the upload. An upload that needs more than one file is refused here, before any
    piece is made (TooManyFiles)."""
    if options.full:
        return Writer().log(_head(), _runs(result, options))
    subscriptions = len(_subscription_findings(result))
    if subscriptions > options.limits.runs_per_file:
        raise TooManyFiles(_too_many(math.ceil(subscriptions / options.limits.runs_per_file)))
    files = list(upload_files(result, options))
    if len(files) > 1:
        raise TooManyFiles(_too_many(len(files)))
    if not files:
        log = empty_log(result)
        return Writer().log(log, ())
    return Writer().log(_head(), files[0])


def too_many_in_scope(subscriptions: int, limits: sarif_split.Limits) -> TooManyFiles | None:
    """The error for `--output FILE` when `subscriptions` (the fewest runs an estate can have,
    known before it is audited) already need more than one upload file."""
    files = math.ceil(subscriptions / limits.runs_per_file)
    return TooManyFiles(_too_many(files, at_least=True)) if files > 1 else None


def _too_many(files: int, *, at_least: bool = False) -> str:
    return (
        f"the SARIF needs {'at least ' if at_least else ''}{files} files to stay within "
        f"GitHub's limits ({sarif_split.Limits().runs_per_file} subscriptions per file); "
        "use --output-dir DIR instead of --output"
    )


def directory(result: AuditResult, options: Options) -> Iterator[Iterator[str]]:
    """The numbered files of `--output-dir`, each in pieces, made one after the other: only
    the runs of the file being written are in memory."""
    writer = Writer()
    for runs in upload_files(result, options):
        yield writer.log(_head(), runs)


def serialize(document: Mapping[str, Any]) -> str:
    """A log as its text (the layout of reports/sarif_write.py)."""
    return "".join(Writer().log(document, document.get("runs", [])))


def documents(result: AuditResult, options: Options) -> list[dict[str, Any]]:
    """The SARIF files to write as documents, each within GitHub's limits (the full report is
    one file). Empty when no subscription was fully read: there is nothing that can be
    uploaded safely."""
    if options.full:
        runs = list(_runs(result, options))
        return [_log(runs)] if runs else []
    return [_log(runs) for runs in upload_files(result, options)]


def upload_files(result: AuditResult, options: Options) -> Iterator[list[dict[str, Any]]]:
    """The runs of each upload file, a group of subscriptions at a time."""
    group: list[dict[str, Any]] = []
    for run in _runs(result, options):
        group.append(run)
        if len(group) == options.limits.runs_per_file:
            yield from sarif_split.pack(group, options.limits, _log)
            group = []
    if group:
        yield from sarif_split.pack(group, options.limits, _log)


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


def _head() -> dict[str, Any]:
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": None}


def _log(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": list(runs)}


# --- runs ------------------------------------------------------------------------------------


def _runs(result: AuditResult, options: Options) -> Iterator[dict[str, Any]]:
    """One run per fully read subscription, made as they are asked for."""
    listed = rules(result)
    rule_index = {rule.id: index for index, rule in enumerate(listed)}
    shared = _Shared(
        tool={"driver": driver(result, listed)},
        rule_index=rule_index,
        failures=_failure_notifications(result, rule_index),
        configuration=[_notification(POLICY_WARNING, "warning", w) for w in result.warnings],
        unknown=_unknown_ids(result),
        options=options,
    )
    for subscription, findings in _subscription_findings(result).items():
        run = _bounded(_run(result, subscription, findings, shared))
        yield _own_rules(run) if options.full else run


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


def subscriptions_in_scope(scope: Mapping[str, Any], failed: Iterable[str]) -> int:
    """The subscriptions a snapshot's scope names that were read: each will have a run (the
    fewest runs its audit can have, known before it is audited)."""
    named = {str(s).lower() for s in scope.get("subscriptions", []) or []}
    return len(named - {s.lower() for s in failed} - {""})


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every run of one audit has in common (computed once, not per subscription)."""

    tool: Mapping[str, Any]  # one object every run refers to (sarif_split sizes it once)
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
    hashes = line_hashes(fingerprints)
    order = sorted(range(len(findings)), key=lambda i: findings[i].suppression is not None)
    results = [
        result_object(findings[i], shared.rule_index, fingerprints[i], hashes[i]) for i in order
    ]
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
        "tool": shared.tool,
        "automationDetails": {"id": automation_id},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "subscriptionId": subscription,
            "collectedAt": result.collected_at,
            "partial": result.is_partial,
        },
    }


def _own_rules(run: dict[str, Any]) -> dict[str, Any]:
    """The run with only the rules its results and notifications refer to, in catalogue order,
    and every `ruleIndex` pointing into that shorter list."""
    driver = run["tool"]["driver"]
    invocation = run["invocations"][0]
    notifications = invocation.get("toolExecutionNotifications", [])
    used = sorted(
        {r["ruleIndex"] for r in run["results"] if "ruleIndex" in r}
        | {n["associatedRule"]["index"] for n in notifications if "associatedRule" in n}
    )
    position = {index: new for new, index in enumerate(used)}
    for result in run["results"]:
        if "ruleIndex" in result:
            result["ruleIndex"] = position[result["ruleIndex"]]
    if notifications:
        invocation["toolExecutionNotifications"] = [_repoint(n, position) for n in notifications]
    rules = driver["rules"]
    return {**run, "tool": {"driver": {**driver, "rules": [rules[i] for i in used]}}}


def _repoint(notification: Mapping[str, Any], position: Mapping[int, int]) -> Mapping[str, Any]:
    rule = notification.get("associatedRule")
    if rule is None:
        return notification
    return {**notification, "associatedRule": {**rule, "index": position[rule["index"]]}}


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
    verb = "is" if len(ids) == 1 else "are"
    text = (
        f"{counted(len(ids), 'resource')} that clusters of subscription {subscription} route "
        f"through {verb} not in the snapshot (out of scope or unreadable); their egress paths "
        "are reported as unknown, never as missing."
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
