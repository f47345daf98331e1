"""The HTML report: one self-contained file, offline, escaped, readable without JavaScript.

Jinja2 renders reports/templates/report.html.j2 with autoescaping and StrictUndefined; the
stylesheet and script are inlined and allowed by their SHA-256 in a Content-Security-Policy that
forbids every other source, so the page can make no request at all. This module only turns an
AuditResult into plain view objects the template reads.

A small estate's report has every finding row and cluster card in its markup. A large one
(more than LAZY_CLUSTERS clusters or LAZY_FINDINGS active findings) has the findings table's
first page in markup and the rest as data the page's script draws on demand
(reports/_html_data.py): it opens in a second at 10,000 clusters, and filters and search still
cover everything.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from auditor.arm import ResourceId
from auditor.enums import PowerState
from auditor.fixtext import segments
from auditor.frozen import frozen
from auditor.model import EgressKind, EgressPath, Finding, ResourceKind, RuleMeta, Severity
from auditor.result import AuditResult, ClusterEgress
from auditor.wording import are, counted
from reports import _diagram, _html_data, _markdown
from reports._bounded import cap

SEVERITIES = tuple(reversed(Severity))  # critical first
OPEN_CARDS_UP_TO = 20  # small estates open every cluster card; large ones start collapsed
LAZY_CLUSTERS = 100  # above this, cluster cards and findings rows are drawn on demand…
LAZY_FINDINGS = 1000  # … and above this many active findings
PAGE = 100  # findings rows a page (report.js has the same number)

_CLUSTER_MARKER = "/providers/microsoft.containerservice/managedclusters/"


@frozen
class FindingRow:
    finding: Finding
    label: str
    type_label: str
    subscription: str
    rule: RuleMeta | None


@frozen
class PathView:
    pools: tuple[str, ...]
    who: str  # "Nodes of", "Pods of", "Virtual nodes of", "Pods annotated for gateway pool"
    text: str
    reason: str
    unknown: bool
    diagram: _diagram.Diagram
    frame: int  # the index of the drawing's frame among the report's distinct frames


@frozen
class ClusterView:
    index: int
    cluster: ClusterEgress
    plugin: str
    stopped: bool
    paths: tuple[PathView, ...]
    counts: tuple[tuple[str, int], ...]
    findings: tuple[FindingRow, ...]
    unknown: bool


@frozen
class UnknownPool:
    cluster: str
    pool: str
    pods: bool
    text: str


@frozen
class Bar:
    key: str
    label: str
    count: int
    percent: str  # the bar's length against the longest
    extra: str = ""
    tone: str = ""  # a CSS class colouring the bar: a severity or an egress kind


def render(result: AuditResult, *, lazy: bool | None = None) -> str:
    return "".join(chunks(result, lazy=lazy))


def chunks(result: AuditResult, *, lazy: bool | None = None) -> Iterator[str]:
    """The page in pieces, as the template makes them (written as they come). `lazy` chooses
    between every card and row in markup (False) and drawn on demand (True); by default, the
    estate's size decides."""
    return _environment().get_template("report.html.j2").generate(_context(result, lazy))


def _context(result: AuditResult, lazy: bool | None) -> dict[str, object]:
    css, script = _asset("report.css"), _asset("report.js")
    rules = {rule.id: rule for rule in result.rules}
    rows = [_row(f, rules.get(f.rule_id)) for f in result.findings]
    active = [r for r in rows if r.finding.suppression is None]
    frames = _Frames()
    clusters = _clusters(result, active, frames)
    if lazy is None:
        lazy = len(clusters) > LAZY_CLUSTERS or len(active) > LAZY_FINDINGS
    severities = [s.value for s in SEVERITIES]
    return {
        "lazy": lazy,
        "listed": active[:PAGE] if lazy else active,
        "data": (
            _html_data.packed(_html_data.chunks(active, clusters, severities, _visible))
            if lazy
            else ()
        ),
        "r": result,
        "css": Markup(css),  # noqa: S704 — our own static file, never data
        "script": Markup(script),  # noqa: S704 — our own static file, never data
        "csp": _csp(css, script),
        "severities": severities,
        "severity_counts": Counter(r.finding.severity.value for r in active),
        "active": active,
        "suppressed": [r for r in rows if r.finding.suppression is not None],
        "drift": [r for r in rows if r.rule is not None and r.rule.needs_baseline],
        "clusters": clusters,
        "frames": frames.drawings,
        "open_cards": len(clusters) <= OPEN_CARDS_UP_TO and not lazy,
        "by_rule": _by_rule(result, active),
        "by_kind": _by_kind(result),
        "by_subscription": _by_subscription(result, active),
        "unknown_pools": _unknown_pools(result),
        "rule_ids": sorted({r.finding.rule_id for r in active}),
        "subscriptions": sorted({r.subscription for r in active if r.subscription}),
        "pool_count": sum(len(c.pools) for c in result.clusters),
        "help": {rule.id: _markdown.render(rule.help_markdown) for rule in result.rules},
    }


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_show_bidi_controls,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["counted"] = counted
    environment.filters["are"] = are
    environment.filters["sentence"] = sentence
    environment.globals["fix_segments"] = segments
    return environment


# Bidirectional embedding, override and isolate controls: invisible, they would reorder the
# text after them (a name can make a message read backwards, as in "Trojan Source" attacks).
_BIDI_CONTROLS = {
    code: f"[U+{code:04X}]" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_ANY_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _show_bidi_controls(value: object) -> object:
    """Every value the template prints from the estate shows such controls as visible text,
    and is capped (reports/_bounded.py)."""
    if isinstance(value, ResourceId):
        value = value.text
    if isinstance(value, str) and not isinstance(value, Markup):
        return _show(value)
    return value


def _show(text: str) -> str:
    return _visible(cap(text))


def _visible(text: str) -> str:
    # Most text is ASCII, which holds no such control, and most of the rest holds none either:
    # looking is much faster than translating.
    if text.isascii() or not _ANY_BIDI_CONTROL.search(text):
        return text
    return text.translate(_BIDI_CONTROLS)


@cache
def _asset(name: str) -> str:
    return resources.files("reports").joinpath("templates", name).read_text("utf-8").strip()


def _csp(css: str, script: str) -> str:
    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest(css)}'; "
        f"script-src 'sha256-{digest(script)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _row(finding: Finding, rule: RuleMeta | None) -> FindingRow:
    parts = finding.parts
    return FindingRow(
        finding=finding,
        label=resource_label(finding.resource_id),
        type_label=_type_label(finding.resource_id),
        subscription=parts.subscription_id.lower(),
        rule=rule,
    )


def resource_label(resource_id: ResourceId) -> str:
    """A short name: `cluster › pool` for node pools, the resource's own name otherwise."""
    if ResourceKind.of(resource_id) is ResourceKind.NODE_POOL:
        return resource_id.qualified_name(" › ")
    return resource_id.name


def _type_label(resource_id: ResourceId) -> str:
    kind = ResourceKind.of(resource_id)
    if kind is ResourceKind.RESOURCE:
        return resource_id.resource_type or kind.label
    return kind.label


def sentence(label: str) -> str:
    """A label as the start of a sentence: `NAT gateway`, `Route to VNet gateway`."""
    return label[:1].upper() + label[1:]


def _cluster_keys(finding: Finding) -> set[str]:
    """The clusters a finding concerns: from its resource ID or the IDs in its evidence."""
    keys = set()
    for resource_id in (finding.resource_id, *finding.evidence):
        key = resource_id.key
        start = key.find(_CLUSTER_MARKER)
        if start >= 0:
            end = key.find("/", start + len(_CLUSTER_MARKER))
            keys.add(key if end < 0 else key[:end])
    return keys


class _Frames:
    """The distinct frames of the report's drawings, each drawn once (see reports/_diagram.py)."""

    def __init__(self) -> None:
        self.drawings: list[_diagram.Diagram] = []
        self._index: dict[tuple[object, ...], int] = {}

    def index(self, drawing: _diagram.Diagram) -> int:
        key = drawing.frame
        if key not in self._index:
            self._index[key] = len(self.drawings)
            self.drawings.append(drawing)
        return self._index[key]


def _clusters(result: AuditResult, active: list[FindingRow], frames: _Frames) -> list[ClusterView]:
    by_cluster: dict[str, list[FindingRow]] = defaultdict(list)
    for row in active:
        for key in _cluster_keys(row.finding):
            by_cluster[key].append(row)
    views = []
    for index, cluster in enumerate(result.clusters):
        rows = by_cluster.get(cluster.id.key, [])
        counts = Counter(r.finding.severity.value for r in rows)
        paths = _paths(cluster, frames)
        views.append(
            ClusterView(
                index=index,
                cluster=cluster,
                plugin=" ".join(
                    p for p in (cluster.network_plugin, cluster.network_plugin_mode) if p
                ),
                stopped=cluster.power_state is PowerState.STOPPED,
                paths=paths,
                counts=tuple((s.value, counts[s.value]) for s in SEVERITIES if counts[s.value]),
                findings=tuple(rows),
                unknown=any(p.unknown for p in paths),
            )
        )
    return views


def _paths(cluster: ClusterEgress, frames: _Frames) -> tuple[PathView, ...]:
    """One drawing per distinct path: pools sharing a subnet share their egress."""
    groups: dict[tuple[EgressPath, bool], list[str]] = {}
    for pool in cluster.pools:
        groups.setdefault((pool.egress, False), []).append(pool.name)
        if pool.pod_egress is not None:
            groups.setdefault((pool.pod_egress, True), []).append(pool.name)
    # (path, names, who, pods, title): the first box's title when it is no node pool's.
    shown: list[tuple[EgressPath, tuple[str, ...], str, bool, str | None]] = [
        (path, tuple(names), "Pods of" if pods else "Nodes of", pods, None)
        for (path, pods), names in groups.items()
    ]
    for workload in cluster.workloads:
        if workload.gateway:
            traffic, box = "Pods annotated for gateway pool", "GATEWAY PODS"
        else:
            traffic, box = "Virtual nodes of", "VIRTUAL NODES"
        shown.append((workload.egress, (workload.name,), traffic, False, box))
    views = []
    for path, names, who, pods, title in shown:
        drawing = _diagram.draw(path, names, pods=pods, title=title)
        views.append(
            PathView(
                pools=names,
                who=who,
                text=_caption(path),
                reason=path.reason,
                unknown=_is_unknown(path),
                diagram=drawing,
                frame=frames.index(drawing),
            )
        )
    return tuple(views)


def _caption(path: EgressPath) -> str:
    """Where the traffic leaves; an unknown path's reason is shown on its own line below."""
    if not path.is_unknown:
        return path.describe()
    return "an unknown path" + (f" ({path.cause.label})" if path.cause else "")


def _is_unknown(path: EgressPath) -> bool:
    return path.is_unknown or bool(path.unknown_ids)


def _unknown_pools(result: AuditResult) -> list[UnknownPool]:
    found = []
    for cluster in result.clusters:
        for pool in cluster.pools:
            for path, pods in ((pool.egress, False), (pool.pod_egress, True)):
                if path is not None and _is_unknown(path):
                    found.append(UnknownPool(cluster.name, pool.name, pods, path.describe()))
    return found


def _bars(items: Iterable[tuple[str, str, int, str, str]]) -> list[Bar]:
    listed = list(items)
    top = max((count for _, _, count, _, _ in listed), default=0) or 1
    return [
        Bar(key, label, count, f"{max(1.0, 100 * count / top):.1f}%", extra, tone)
        for key, label, count, extra, tone in listed
    ]


def _by_rule(result: AuditResult, active: list[FindingRow]) -> list[Bar]:
    counts = Counter(r.finding.rule_id for r in active)
    rules = {rule.id: rule for rule in result.rules}
    ordered = sorted(counts, key=lambda rule_id: (-counts[rule_id], rule_id))
    return _bars(
        (
            rule_id,
            rules[rule_id].title if rule_id in rules else "",
            counts[rule_id],
            "",
            rules[rule_id].severity.value if rule_id in rules else "",
        )
        for rule_id in ordered
    )


def _by_kind(result: AuditResult) -> list[Bar]:
    clusters: Counter[EgressKind] = Counter()
    pools: Counter[EgressKind] = Counter()
    for cluster in result.clusters:
        kinds = [p.egress.kind for p in cluster.pools]
        pools.update(kinds)
        clusters.update(set(kinds))
    return _bars(
        (
            kind.slug,
            sentence(kind.label),
            clusters[kind],
            counted(pools[kind], "node pool"),
            kind.slug,
        )
        for kind in EgressKind
        if clusters[kind]
    )


def _by_subscription(result: AuditResult, active: list[FindingRow]) -> list[Bar]:
    clusters = Counter(c.subscription_id.lower() for c in result.clusters)
    pools: Counter[str] = Counter()
    for cluster in result.clusters:
        pools[cluster.subscription_id.lower()] += len(cluster.pools)
    findings = Counter(r.subscription for r in active)
    return _bars(
        (
            sub,
            "",
            clusters[sub],
            f"{counted(pools[sub], 'node pool')} · {counted(findings[sub], 'active finding')}",
            "",
        )
        for sub in result.subscriptions
    )
