"""Terminal text: per cluster, each node pool's egress path and IPs; then the findings.

Names from the estate and the policy are data: every line is capped and shows control and bidi
characters as escapes (`\x1b`, `\u202e`), so a name can neither drive the terminal nor, holding
a newline, forge a line of the report (reports/_bounded.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import PowerState
from auditor.model import EgressKind, EgressPath, Finding, Severity
from auditor.result import AuditResult, ClusterEgress
from auditor.wording import are, counted
from reports._bounded import MAX_LISTED, cap, more_listed, shown

WIDTH = 100
NAME_COLUMN = 40  # pool names longer than this overflow their column instead of widening it


def render(result: AuditResult) -> str:
    return "".join(chunks(result))


def chunks(result: AuditResult) -> Iterator[str]:
    """The report in pieces: the header, each cluster, each finding."""
    lines = [
        f"egress-audit {result.tool_version} · {result.source} · read {result.collected_at}",
        f"{counted(len(result.clusters), 'cluster')}, "
        f"{counted(sum(len(c.pools) for c in result.clusters), 'node pool')} in "
        f"{counted(len(result.subscriptions), 'subscription')}",
    ]
    if result.baseline is not None:
        lines.append(f"drift since baseline {result.baseline}")
    lines.extend(_gaps(result))
    yield _block(lines)
    for cluster in result.clusters:
        yield _block(["", *_cluster(cluster)])
    active = result.active_findings
    yield _block(["", _findings_heading(result, active)])
    for finding in active:
        yield _block(_finding(finding))


def _block(lines: list[str]) -> str:
    return "".join(f"{shown(line)}\n" for line in lines)


def _gaps(result: AuditResult) -> list[str]:
    lines = []
    for error in result.collection_errors:
        status = f" (HTTP {error.status})" if error.status else ""
        lines.append(f"NOT READ: {error.scope}{status}: {error.message}")
    lines.extend(f"RULE ERROR: {e.rule_id}: {e.message}" for e in result.rule_errors)
    if result.unknown_ids:
        unknown = result.unknown_ids
        lines.append(
            f"UNKNOWN: {are(len(unknown), 'referenced resource')} not in the snapshot (out of "
            f"scope or unreadable); paths through {'it' if len(unknown) == 1 else 'them'} are "
            "reported as unknown, not missing:"
        )
        lines.extend(f"  {resource_id}" for resource_id in unknown[:MAX_LISTED])
        if more := more_listed(len(unknown), "resource"):
            lines.append(f"  {more}")
    lines.extend(f"warning: {warning}" for warning in result.warnings)
    return lines


def _cluster(cluster: ClusterEgress) -> list[str]:
    plugin = " ".join(p for p in (cluster.network_plugin, cluster.network_plugin_mode) if p)
    state = "  [stopped]" if cluster.power_state is PowerState.STOPPED else ""
    lines = [
        f"{cluster.name}  outbound {cluster.outbound_type or '?'} · plugin {plugin or '?'}{state}",
        f"  {cluster.id}",
    ]
    width = max((min(len(p.name), NAME_COLUMN) for p in cluster.pools), default=0)
    for pool in cluster.pools:
        lines.append(f"  {pool.name:<{width}}  nodes {_path(pool.egress)}")
        if pool.pod_egress is not None:
            lines.append(f"  {'':<{width}}  pods  {_path(pool.pod_egress)}")
    lines.extend(f"  {w.label}: {_path(w.egress)}" for w in cluster.workloads)
    ips = ", ".join(cluster.egress_ips) or "none known"
    lines.append(f"  egress IPs: {ips}")
    return lines


def _path(path: EgressPath) -> str:
    subnet = path.subnet_id.qualified_name() if path.subnet_id else "?"
    text = f"{subnet} → {path.describe()}"
    if path.may_leave_from and path.kind not in (
        EgressKind.LOAD_BALANCING_RULES,
        EgressKind.BASIC_LOAD_BALANCER,
    ):
        text += f"; may also leave from {', '.join(path.may_leave_from)}"
    if path.idle_timeout_minutes is not None:
        text += f" · idle {path.idle_timeout_minutes} min"
    return text


def _findings_heading(result: AuditResult, active: tuple[Finding, ...]) -> str:
    counts = " · ".join(
        f"{sum(1 for f in active if f.severity is s)} {s.value}" for s in reversed(Severity)
    )
    heading = f"Findings: {counts}"
    suppressed = len(result.findings) - len(active)
    if suppressed:
        heading += f" ({suppressed} suppressed)"
    return heading


def _finding(finding: Finding) -> list[str]:
    indent = " " * 18
    lines = [f"{finding.severity.value.upper():<9} {finding.rule_id:<7} {finding.resource_id}"]
    lines.extend(_wrap(cap(finding.message), WIDTH, indent))
    if finding.location is not None:
        lines.append(f"{indent}declared at {finding.location.path}:{finding.location.line}")
    if finding.remediation:
        lines.append(f"{indent}fix: {finding.remediation}")
    return lines


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Wrap at spaces only: resource names and IDs stay whole (textwrap would break them at
    their hyphens). Each line holds the most words that fit (a word longer than a line holds
    a line alone), found by searching for spaces rather than word by word: fast enough for
    tens of thousands of findings."""
    rest = " ".join(text.split())
    room = width - len(indent)
    lines: list[str] = []
    while len(rest) > room:
        cut = rest.rfind(" ", 0, max(room + 1, 0))
        if cut <= 0:  # the first word alone is longer than a line
            cut = rest.find(" ")
            if cut < 0:
                break
        lines.append(indent + rest[:cut])
        rest = rest[cut + 1 :]
    if rest:
        lines.append(indent + rest)
    return lines
