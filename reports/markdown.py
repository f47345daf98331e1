"""Markdown for a GitHub job summary (`>> "$GITHUB_STEP_SUMMARY"`).

Order of importance, since a summary is read top-down and must stay under 1 MiB (GitHub refuses
a larger one): what could not be audited, the findings by severity, the top findings with their
fix, then every node pool's egress IPs (the list a payment provider allowlists). Only that last
table grows with the estate; when the budget runs out it ends with a note saying how many rows
were left out. Every name from the estate is escaped: a resource name is data, not markup —
nor a mention that notifies someone, a link, a terminal escape or a bidi override — and capped
(reports/_bounded.py); whatever the input, the summary stays under the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from auditor.arm import ResourceId
from auditor.fixtext import segments
from auditor.model import EgressKind, EgressPath, Finding, ResourceKind, Severity
from auditor.result import AuditResult, ClusterEgress
from auditor.wording import are, counted
from reports._bounded import MAX_LISTED, cap, escape_controls, more_listed

# GitHub's limit for one step's summary is 1 MiB; keep a margin for the truncation note.
MAX_BYTES = 1024 * 1024 - 4096
TOP_FINDINGS = 20
MAX_MESSAGE = 1000

# Characters that start inline markup anywhere in a line; `(` only matters after `]`.
_MARKUP = re.compile(r"([\\`*_\[\]#|~<>])")
_ORDINAL = re.compile(r"(\d+)[.)](?=\s|$)")
# What GitHub turns into a mention (`@user`, `@org/team`) or a link on its own (`user@host`,
# `https://…`, `www.…`): a WORD JOINER (invisible, U+2060) after `@`, inside `://` and after
# `www` breaks the pattern without changing what a reader sees.
_AUTOLINK = re.compile(r"(?<=@)|(?<=:)(?=//)|(?i:(?<=\bwww)(?=\.))")
_JOINER = "\u2060"
_SEVERITY_MARK = {
    Severity.CRITICAL: "🟥",
    Severity.HIGH: "🟧",
    Severity.MEDIUM: "🟨",
    Severity.LOW: "🟦",
    Severity.INFO: "⬜",
}


def render(result: AuditResult, max_bytes: int = MAX_BYTES) -> str:
    head = [
        *_title(result),
        *_gaps(result),
        *_counts(result),
        *_top_findings(result),
    ]
    text = _within("\n".join(head) + "\n", max_bytes - 1024)
    budget = max_bytes - len(text.encode("utf-8"))
    return text + _egress_table(result, budget)


def chunks(result: AuditResult) -> Iterator[str]:
    """One piece: a summary is at most a megabyte."""
    yield render(result)


def _within(text: str, max_bytes: int) -> str:
    """The text cut at a line boundary to fit `max_bytes`, with a note when it was cut. Each
    value is capped already; this holds the limit even for thousands of capped values."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    note = "\n*… the rest of this summary was left out: a job summary is limited to 1 MiB. The "
    note += "JSON report has everything.*\n\n"
    kept = data[: max_bytes - len(note.encode("utf-8"))].decode("utf-8", errors="ignore")
    return kept[: kept.rfind("\n") + 1] + note


def escape(text: str) -> str:
    """Inline Markdown for text from the estate: capped, control and bidi characters shown as
    escapes, markup characters and HTML neutralised, mentions and bare links broken, one line
    (a newline would end a table row), and nothing that opens a block at a line start."""
    flat = escape_controls(" ".join(cap(text).split()))
    flat = _MARKUP.sub(r"\\\1", _AUTOLINK.sub(_JOINER, flat).replace("&", "&amp;"))
    if flat[:1] in ("-", "+", "="):
        return "\\" + flat
    ordinal = _ORDINAL.match(flat)
    if ordinal:  # "1." or "1)" would start a numbered list
        return f"{ordinal.group(1)}\\{flat[ordinal.end(1) :]}"
    return flat


def fix(text: str) -> str:
    """A fix as Markdown: its prose escaped, each command in its own code span."""
    return "".join(
        code(piece) if is_command else _prose(piece) for piece, is_command in segments(text)
    )


def _prose(piece: str) -> str:
    # escape() trims; the spaces around a command span are part of the sentence.
    lead = " " if piece[:1].isspace() else ""
    trail = " " if piece[-1:].isspace() and piece.strip() else ""
    return f"{lead}{escape(piece)}{trail}"


def code(text: str) -> str:
    """A code span that survives backticks in the text (for list items, not table cells:
    GFM splits a table row on `|` even inside code)."""
    flat = escape_controls(" ".join(cap(text).split()))
    ticks = "`" * (max((len(r) for r in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def _title(result: AuditResult) -> list[str]:
    active = result.active_findings
    status = counted(len(active), "finding")
    if result.is_partial:
        status = f"partial audit, {status}"
    pools = sum(len(c.pools) for c in result.clusters)
    drift = "" if result.baseline is None else f" · drift since baseline {escape(result.baseline)}"
    return [
        f"## egress-audit: {status}",
        "",
        f"{counted(len(result.clusters), 'cluster')} · {counted(pools, 'node pool')} · "
        f"{counted(len(result.subscriptions), 'subscription')} · source {escape(result.source)} · "
        f"read {escape(result.collected_at)}{drift} · egress-audit {escape(result.tool_version)}",
        "",
    ]


def _gaps(result: AuditResult) -> list[str]:
    lines: list[str] = []
    if result.collection_errors:
        lines += [
            "> [!CAUTION]",
            f"> **Not audited: {counted(len(result.collection_errors), 'scope')} could not be "
            "read.** "
            "Their clusters are missing from this report and their alerts were left as they "
            "were.",
            "",
            "| Scope | HTTP status | Subscriptions | Error |",
            "| --- | --- | --- | --- |",
        ]
        for error in result.collection_errors[:MAX_LISTED]:
            subscriptions = ", ".join(escape(s) for s in error.subscriptions) or "–"
            lines.append(
                f"| {escape(error.scope)} | {error.status or '–'} | {subscriptions} | "
                f"{escape(error.message)} |"
            )
        lines += _more(len(result.collection_errors), "scope")
        lines.append("")
    if result.rule_errors:
        lines += ["> [!CAUTION]", "> **Rules that failed** (their findings are missing):"]
        lines += [f"> - {escape(e.rule_id)}: {escape(e.message)}" for e in result.rule_errors]
        lines.append("")
    if result.unknown_ids:
        lines += [
            "> [!WARNING]",
            f"> **Unknown hops: {are(len(result.unknown_ids), 'referenced resource')} not in "
            "the snapshot** (out of scope or unreadable). Egress paths through "
            f"{'it' if len(result.unknown_ids) == 1 else 'them'} are unknown, not missing:",
        ]
        lines += [f"> - {escape(i.text)}" for i in result.unknown_ids[:MAX_LISTED]]
        lines += [f"> {line}" for line in _more(len(result.unknown_ids), "resource")]
        lines.append("")
    if result.warnings:
        lines += ["**Policy warnings**", ""]
        lines += [f"- {escape(w)}" for w in result.warnings[:MAX_LISTED]]
        lines += _more(len(result.warnings), "warning")
        lines.append("")
    return lines


def _more(total: int, noun: str) -> list[str]:
    note = more_listed(total, noun)
    return [] if note is None else [f"*{note}.*"]


def _counts(result: AuditResult) -> list[str]:
    active = result.active_findings
    suppressed = len(result.findings) - len(active)
    lines = ["### Findings by severity", "", "| Severity | Findings |", "| --- | ---: |"]
    for severity in reversed(Severity):
        count = sum(1 for f in active if f.severity is severity)
        lines.append(f"| {_SEVERITY_MARK[severity]} {severity.value} | {count} |")
    lines += ["", f"Suppressed by the policy file: {suppressed}.", ""]
    return lines


def _top_findings(result: AuditResult) -> list[str]:
    active = result.active_findings  # already sorted, highest severity first
    if not active:
        return []
    shown = active[:TOP_FINDINGS]
    title = "### Top findings" if len(active) > len(shown) else "### Findings"
    lines = [title, ""]
    if len(active) > len(shown):
        lines += [f"The first {len(shown)} of {len(active)}, highest severity first.", ""]
    for number, finding in enumerate(shown, start=1):
        lines += _finding(number, finding)
    return lines


def _finding(number: int, finding: Finding) -> list[str]:
    message = finding.message
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    lines = [
        f"{number}. {_SEVERITY_MARK[finding.severity]} **{finding.severity.value.upper()}** "
        f"{finding.rule_id} · {escape(_short_name(finding.resource_id))}  ",
        f"   {escape(message)}  ",
        f"   Resource: {code(finding.resource_id.text)}  ",
    ]
    if finding.location is not None:
        where = f"{finding.location.path}:{finding.location.line}"
        lines.append(f"   Declared at: {code(where)}  ")
    if finding.remediation:
        lines.append(f"   Fix: {fix(finding.remediation)}")
    else:
        lines[-1] = lines[-1].rstrip()
    lines.append("")
    return lines


def _short_name(resource_id: ResourceId) -> str:
    """`cluster/pool` for a node pool, the name otherwise."""
    if ResourceKind.of(resource_id) is ResourceKind.NODE_POOL:
        return resource_id.qualified_name()
    return resource_id.name


def _egress_table(result: AuditResult, budget: int) -> str:
    header = [
        "### Egress IPs",
        "",
        "Where each node pool's traffic leaves from: the addresses a destination allowlists. "
        "*unknown* means a hop on the path could not be read.",
        "",
        "| Cluster | Resource group | Node pool | Traffic | Path | Egress IPs / prefixes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    if not result.clusters:
        return "### Egress IPs\n\nNo clusters in the audited scope.\n"
    rows = list(_rows(result.clusters))
    text = "\n".join(header) + "\n"
    used = len(text.encode("utf-8"))
    for index, row in enumerate(rows):
        line = row + "\n"
        size = len(line.encode("utf-8"))
        if used + size > budget - 512:  # room for the note
            left = len(rows) - index
            note = (
                f"\n*… {left} more rows left out: a job summary is limited to 1 MiB. "
                "The JSON report lists every node pool.*\n"
            )
            return text + note
        text += line
        used += size
    return text


def _rows(clusters: Iterable[ClusterEgress]) -> Iterable[str]:
    for cluster in clusters:
        for pool in cluster.pools:
            yield _row(cluster, pool.name, "nodes", pool.egress)
            if pool.pod_egress is not None:
                yield _row(cluster, pool.name, "pods", pool.pod_egress)
        for workload in cluster.workloads:
            gateway = workload.gateway
            name = workload.name if gateway else "virtual nodes"
            yield _row(cluster, name, "gateway pods" if gateway else "ACI", workload.egress)


def _row(cluster: ClusterEgress, name: str, traffic: str, path: EgressPath) -> str:
    return (
        f"| {escape(cluster.name)} | {escape(cluster.resource_group)} | {escape(name)} | "
        f"{traffic} | {escape(_path(path))} | {_ips(path)} |"
    )


def _path(path: EgressPath) -> str:
    label = path.kind.label
    if path.cause is not None:
        label = f"{label} ({path.cause.label})"
    if path.device_id:
        return f"{label} {path.device_id.parts.name}"
    if path.kind is EgressKind.UDR_APPLIANCE and path.next_hop_ip:
        return f"{label} {path.next_hop_ip}"
    return label


def _ips(path: EgressPath) -> str:
    may = ", ".join(escape(ip) for ip in path.may_leave_from)
    if path.public_ips is None:
        return "*unknown*" + (f"; may leave from {may}" if may else "")
    if not path.public_ips:
        return f"may leave from {may}" if may else "none"
    shown = ", ".join(escape(ip) for ip in path.public_ips)
    return f"{shown}; may also leave from {may}" if may else shown
