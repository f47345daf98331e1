"""The data of a large HTML report: its findings and cluster cards as compact JSON, which the
page's script draws when they are looked at (reports/templates/report.js).

A large estate's cards and rows, written out as markup, make a page a browser needs many seconds
to open (tens of megabytes, hundreds of thousands of elements). Instead, they travel as data in
one `<script type="application/octet-stream">` element, which the browser does not execute and
parses only as text. Every string is stored once (`strings`) and every ARM ID once, as its
segments (`ids`): records refer to them by number. The JSON is then deflate-compressed and
base64-encoded (`packed`): its strings repeat names, IDs and phrases, so 10,000 clusters' 17 MB
of JSON travel as under 3 MB, and the page decompresses them with the browser's own
DecompressionStream. Every string from the estate is capped as the template caps it
(reports/_bounded.py; an ID as a whole) and goes through `visible` (the template's treatment of
invisible bidirectional controls), and the script only ever sets text, never markup.

Layout (all numbers are indexes; -1 is "none"; trailing "none" fields are left out):
- finding: [severity, rule, subscription, label, type, message, resource ID, observed,
  expected, declared at, [[detail key, value]...], [evidence ID...], [[fix piece, command]...]]
  (a fix's pieces: its prose and its commands, auditor/fixtext.py)
- cluster: [name, outbound type, plugin, power state, flags (1 stopped, 2 unknown egress),
  [severity, count, ...], resource group, location, [path...], [egress IP...], [pool...],
  [finding...], subscription, ID]
- path: [frame, width, height, [box...], [pool name...], pods (0/1), text, reason, unknown]
- box: [tip, [[x, y, style (0 none, 1 "s", 2 "m"), text]...]]
- pool: [name, mode, OS, node count (or null), power state, egress, pod egress]
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from auditor.fixtext import segments
from reports._bounded import cap
from reports._json_text import compact

if TYPE_CHECKING:
    from auditor.arm import ResourceId
    from auditor.result import PoolEgress
    from reports.html import ClusterView, FindingRow, PathView

Show = Callable[[str], str]
_STYLES = {"": 0, "s": 1, "m": 2}
_STOPPED, _UNKNOWN = 1, 2


class _Strings(dict[object, int]):
    """Each distinct string once; a record holds its number (`strings[value]`, -1 for None).
    A dict whose missing values are added: the half a million lookups of a large estate stay
    in C."""

    def __init__(self, visible: Show) -> None:
        super().__init__({None: -1})
        self.visible = visible
        self.table: list[str] = []
        self._pieces: dict[str, int] = {}  # pieces apart: a piece is not capped again

    def __missing__(self, text: object) -> int:
        """A value from the estate, capped (shown once per value as given)."""
        found = self[text] = len(self.table)
        self.table.append(self.visible(cap(str(text))))
        return found

    def piece(self, text: str) -> int:
        """A piece of a value capped already (a segment of an ID)."""
        found = self._pieces.get(text)
        if found is None:
            found = self._pieces[text] = len(self.table)
            self.table.append(self.visible(text))
        return found


class _Ids(dict[str, int]):
    """Each distinct ARM ID once, as the numbers of its `/`-separated segments (`ids[text]`):
    IDs share most segments (subscriptions, resource groups, providers, types)."""

    def __init__(self, strings: _Strings) -> None:
        super().__init__()
        self.strings = strings
        self.table: list[list[int]] = []

    def __missing__(self, text: str) -> int:
        found = self[text] = len(self.table)
        self.table.append([self.strings.piece(part) for part in cap(text).split("/")])
        return found

    def of(self, resource_id: ResourceId | None) -> int:
        return -1 if resource_id is None else self[resource_id.text]


def packed(pieces: Iterable[bytes], block: int = 1 << 20) -> Iterator[Markup]:
    """The JSON text `pieces` make, deflate-compressed (zlib's fastest level: a tenth of the
    size, in a fraction of the time a slower level takes) and base64-encoded, a piece for each
    `block` bytes or more of compressed data. Only base64's letters, digits, `+`, `/` and `=`:
    nothing in it can end its `<script>` element."""
    compressor = zlib.compressobj(1)
    pending = b""
    for piece in pieces:
        pending += compressor.compress(piece)
        if len(pending) >= block:
            whole = len(pending) - len(pending) % 3  # base64 encodes 3 bytes at a time
            yield _safe(base64.b64encode(pending[:whole]).decode("ascii"))
            pending = pending[whole:]
    yield _safe(base64.b64encode(pending + compressor.flush()).decode("ascii"))


def chunks(
    rows: Sequence[FindingRow],
    clusters: Sequence[ClusterView],
    severities: Sequence[str],
    visible: Show,
) -> Iterator[bytes]:
    """The data's JSON text (UTF-8), in pieces. `visible` shows invisible controls in a text."""
    from reports.html import sentence

    strings = _Strings(visible)
    ids = _Ids(strings)
    rules: dict[str, int] = {}
    rule_table: list[list[Any]] = []
    rank = {severity: index for index, severity in enumerate(severities)}
    numbers = {id(row): index for index, row in enumerate(rows)}

    def rule(row: FindingRow) -> int:
        rule_id = row.finding.rule_id
        if rule_id not in rules:
            rules[rule_id] = len(rule_table)
            rule_table.append([rule_id, None if row.rule is None else row.rule.name])
        return rules[rule_id]

    yield b'{"findings":['
    for index, row in enumerate(rows):
        record = _finding(row, rank, rule(row), strings, ids)
        yield (b"," if index else b"") + compact(record)
    yield b'],"clusters":['
    for index, view in enumerate(clusters):
        record = _cluster(view, rank, numbers, strings, ids, sentence)
        yield (b"," if index else b"") + compact(record)
    yield b'],"rules":' + compact(rule_table) + b',"ids":'
    yield from _listed(ids.table)
    yield b',"strings":'
    yield from _listed(strings.table)
    yield b"}"


def _listed(items: Sequence[Any], batch: int = 4096) -> Iterator[bytes]:
    """A JSON list in pieces of `batch` items: the tables of a large report are tens of
    megabytes of JSON, never made as one string."""
    yield b"["
    for start in range(0, len(items), batch):
        body = compact(items[start : start + batch])[1:-1]
        yield (b"," if start else b"") + body
    yield b"]"


def _finding(
    row: FindingRow, rank: dict[str, int], rule: int, strings: _Strings, ids: _Ids
) -> list[Any]:
    finding = row.finding
    location = finding.location
    return _trimmed(
        [
            rank[finding.severity.value],
            rule,
            strings[row.subscription],
            strings[row.label],
            strings[row.type_label],
            strings[finding.message],
            ids.of(finding.resource_id),
            strings[finding.observed],
            strings[finding.expected],
            strings[None if location is None else f"{location.path}:{location.line}"],
            [[strings[k], strings[v]] for k, v in sorted(finding.details.items())],
            [ids.of(e) for e in finding.evidence if e != finding.resource_id],
            [[strings[text], int(command)] for text, command in segments(finding.remediation)],
        ]
    )


def _cluster(
    view: ClusterView,
    rank: dict[str, int],
    numbers: dict[int, int],
    strings: _Strings,
    ids: _Ids,
    sentence: Callable[[str], str],
) -> list[Any]:
    cluster = view.cluster
    flags = (_STOPPED if view.stopped else 0) | (_UNKNOWN if view.unknown else 0)
    return [
        strings[cluster.name],
        strings[cluster.outbound_type or None],
        strings[view.plugin or None],
        strings[cluster.power_state],
        flags,
        [number for severity, count in view.counts for number in (rank[severity], count)],
        strings[cluster.resource_group],
        strings[cluster.location],
        [_path(path, strings) for path in view.paths],
        [strings[ip] for ip in cluster.egress_ips],
        [_pool(pool, strings, sentence) for pool in cluster.pools],
        [numbers[id(row)] for row in view.findings],
        strings[cluster.subscription_id],
        ids.of(cluster.id),
    ]


def _pool(pool: PoolEgress, strings: _Strings, sentence: Callable[[str], str]) -> list[Any]:
    pods = None if pool.pod_egress is None else sentence(pool.pod_egress.kind.label)
    return _trimmed(
        [
            strings[pool.name],
            strings[pool.mode],
            strings[pool.os_type],
            pool.count,
            strings[pool.power_state],
            strings[sentence(pool.egress.kind.label)],
            strings[pods],
        ]
    )


def _path(path: PathView, strings: _Strings) -> list[Any]:
    drawing = path.diagram
    boxes = [
        [
            strings[box.tip or None],
            [[t.x, t.y, _STYLES[t.style], strings[t.text]] for t in box.texts],
        ]
        for box in drawing.boxes
    ]
    return _trimmed(
        [
            path.frame,
            drawing.width,
            drawing.height,
            boxes,
            [strings[name] for name in path.pools],
            strings[path.who],
            strings[path.text],
            strings[path.reason or None],
            int(path.unknown),
        ]
    )


def _trimmed(record: list[Any]) -> list[Any]:
    """Without its trailing "none" fields (-1, [] or null): the script reads a missing field
    as none."""
    while record and (record[-1] is None or record[-1] == -1 or record[-1] == []):
        record.pop()
    return record


def _safe(text: str) -> Markup:
    return Markup(text)  # noqa: S704 — base64 only (see `packed`)
