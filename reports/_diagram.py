"""The layout of one egress path drawn as boxes and arrows, for the HTML report's inline SVG.

This module only measures and places: it returns plain text and numbers, and the template
draws them (so every name goes through the template's autoescaping). Boxes run left to right:
node pools → subnet → route table / NAT gateway → firewall / load balancer / node IPs → the
public addresses. A hop that is not in the snapshot is drawn as an `unknown` box.

A drawing has two parts. Its *frame* (the boxes, their titles and the arrows) is the same for
every path of the same shape, so a report draws each distinct frame once and every drawing
refers to it (`<use>`); only the names in the boxes (`Box.texts`) are drawn per path. This keeps
a report of thousands of clusters small. The frame is painted with SVG presentation attributes
(`PAINT`), never with style rules: a `<use>` copy is outside the document's selectors.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.arm import ResourceId
from auditor.frozen import frozen
from auditor.model import ADDRESS_KINDS, Cause, EgressKind, EgressPath, ResourceKind

BOX_WIDTH = 190
GAP = 34
MARGIN = 4
LINE = 16
CHARS = 23  # what fits on one line of a box at the report's font size
MAX_LINES = 5
INSET = 12  # from a box's left edge to its text
TITLE_Y = MARGIN + 19  # the baseline of a box's title
LINE_Y = MARGIN + 38  # the baseline of a box's first line; each further one is LINE lower


@frozen
class Paint:
    fill: str
    stroke: str
    width: str = "1.5"
    dash: str = ""
    title: str = "#64748b"  # the colour of the box's title


# How each kind of box is painted (its `kind`); `other` for anything else.
PAINT = {
    "pool": Paint("#eef2ff", "#6366f1"),
    "subnet": Paint("#f0f9ff", "#0284c7"),
    "route": Paint("#f5f3ff", "#7c3aed"),
    "nat": Paint("#ecfdf5", "#059669"),
    "fw": Paint("#fff7ed", "#ea580c"),
    "lb": Paint("#ecfeff", "#0891b2"),
    "nodeip": Paint("#fdf4ff", "#c026d3"),
    "ips": Paint("#dcfce7", "#15803d", "2"),
    "warn": Paint("#fffbeb", "#d97706", "2"),
    "danger": Paint("#fef2f2", "#dc2626", "2", title="#b91c1c"),
    "unknown": Paint("#f8fafc", "#b45309", "2", "6 4", title="#b45309"),
    "beyond": Paint("#f8fafc", "#94a3b8", dash="3 3"),
    "other": Paint("#fff", "#94a3b8"),
}


@frozen
class Text:
    """One line of a box, placed: `style` is its CSS class (`s` a note, `m` an address)."""

    x: int
    y: int
    style: str
    text: str


@frozen
class Box:
    x: int
    kind: str  # the paint: pool, subnet, route, nat, fw, lb, nodeip, ips, warn, danger, …
    title: str
    lines: tuple[str, ...]
    tip: str  # the full text when a line had to be shortened, else ""
    primary: int  # lines before this index are names (bold); the rest are notes

    @property
    def paint(self) -> Paint:
        return PAINT.get(self.kind, PAINT["other"])

    @property
    def texts(self) -> tuple[Text, ...]:
        return tuple(
            Text(self.x + INSET, LINE_Y + index * LINE, self._style(index), line)
            for index, line in enumerate(self.lines)
        )

    def _style(self, index: int) -> str:
        if self.kind == "ips":
            return "m"
        return "s" if index >= self.primary else ""


@frozen
class Arrow:
    x1: int
    x2: int


@frozen
class Diagram:
    width: int
    height: int
    box_width: int
    box_height: int
    mid: int  # the y of the arrows
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]

    top = MARGIN  # the y of every box
    title_y = TITLE_Y
    inset = INSET

    @property
    def frame(self) -> tuple[object, ...]:
        """What the drawing shares with every drawing of the same shape (see the docstring)."""
        return (
            self.width,
            self.height,
            self.box_height,
            *((b.x, b.kind, b.title) for b in self.boxes),
        )


@frozen
class _Step:
    kind: str
    title: str
    lines: tuple[str, ...]
    full: tuple[str, ...] = ()  # every item, when `lines` shows only the first few
    primary: int = 1


def draw(
    path: EgressPath, pools: Sequence[str], *, pods: bool, title: str | None = None
) -> Diagram:
    """`title` names the first box when the traffic is not a node pool's (virtual nodes,
    pods of a static egress gateway)."""
    first = _pools_step(pools, pods=pods)
    if title is not None:
        first = _Step("pool", title, first.lines, first.full, first.primary)
    steps = [first, *_hop_steps(path), *_tail_steps(path)]
    height = 30 + LINE * max(2, *(len(s.lines) for s in steps)) + 4
    boxes = []
    for index, step in enumerate(steps):
        lines, tip = _fit(step.lines, step.full)
        x = MARGIN + index * (BOX_WIDTH + GAP)
        boxes.append(Box(x, step.kind, step.title, lines, tip, step.primary))
    arrows = tuple(Arrow(b.x + BOX_WIDTH, b.x + BOX_WIDTH + GAP) for b in boxes[:-1])
    width = 2 * MARGIN + len(boxes) * BOX_WIDTH + (len(boxes) - 1) * GAP
    return Diagram(
        width, height + 2 * MARGIN, BOX_WIDTH, height, MARGIN + height // 2, tuple(boxes), arrows
    )


def _pools_step(pools: Sequence[str], *, pods: bool) -> _Step:
    if pods:
        title = "PODS OF NODE POOL" if len(pools) == 1 else "PODS OF NODE POOLS"
    else:
        title = "NODE POOL" if len(pools) == 1 else "NODE POOLS"
    return _Step("pool", title, _capped(pools), tuple(pools), MAX_LINES)


def _hop_steps(path: EgressPath) -> list[_Step]:
    unknown = set(path.unknown_ids)
    steps = []
    for hop in path.hops:
        kind, title = hop.kind, _title(hop.kind)
        if kind in ADDRESS_KINDS:
            continue  # addresses are drawn together in the last box
        if hop.id is None:  # an appliance, known by its address
            steps.append(_Step("fw", title, (hop.address or "?", "virtual appliance")))
        elif kind is ResourceKind.AZURE_FIREWALL and hop.id not in unknown:
            steps.append(_Step("fw", title, (hop.id.name, hop.address or "")))
        elif kind is ResourceKind.NODE_POOL:
            steps.append(_Step("nodeip", "GATEWAY POOL", (hop.id.name, "static egress")))
        elif kind is ResourceKind.VIRTUAL_NETWORK_GATEWAY:
            steps.append(_Step("unknown", title, (hop.id.name, "routes over BGP")))
        elif hop.id in unknown:
            steps.append(
                _Step("unknown", f"{title} · NOT READ", (hop.id.name, "not in the snapshot"))
            )
        elif kind is ResourceKind.SUBNET:
            steps.append(_Step("subnet", title, (hop.id.name, f"in {hop.id.parts.parent}")))
        elif kind is ResourceKind.ROUTE_TABLE:
            steps.append(_Step(_route_class(path), title, (hop.id.name, _route(path))))
        elif kind is ResourceKind.NAT_GATEWAY:
            steps.append(_Step("nat", title, (hop.id.name, _idle(path))))
        elif path.kind is EgressKind.BASIC_LOAD_BALANCER and kind is ResourceKind.LOAD_BALANCER:
            steps.append(_Step("warn", "BASIC LOAD BALANCER", (hop.id.name, "implicit SNAT")))
        else:
            steps.append(_Step("other", title, (hop.id.name,)))
    return steps


def _tail_steps(path: EgressPath) -> list[_Step]:
    steps = []
    match path.kind:
        case EgressKind.UDR_APPLIANCE | EgressKind.AZURE_FIREWALL:
            pass  # drawn right after the route table (_hop_steps)
        case EgressKind.UDR_GATEWAY:
            steps.append(_Step("fw", "VNET GATEWAY", ("virtual network", "gateway"), (), 2))
        case EgressKind.LOAD_BALANCER:
            steps.append(_Step("lb", "LOAD BALANCER", ("outbound rules", _idle(path)), (), 1))
        case EgressKind.BASIC_LOAD_BALANCER:
            if path.hop(ResourceKind.LOAD_BALANCER) is None:  # else drawn as its hop
                basic = ("implicit SNAT,", "no outbound rules")
                steps.append(_Step("warn", "BASIC LOAD BALANCER", basic))
        case EgressKind.NODE_PUBLIC_IP:
            steps.append(_Step("nodeip", "NODE PUBLIC IPS", ("one IP per node", _idle(path))))
        case EgressKind.STATIC_EGRESS_GATEWAY:
            if not path.public_ips:
                return [
                    _Step("beyond", "PUBLIC IP PREFIX", ("per configuration,", "in the cluster"))
                ]
        case EgressKind.LOAD_BALANCING_RULES:
            steps.append(_Step("lb", "LOAD BALANCER", ("load-balancing rules", "(service SNAT)")))
        case EgressKind.DEFAULT_OUTBOUND:
            steps.append(
                _Step("warn", "DEFAULT OUTBOUND", ("implicit Azure IP", "that can change"))
            )
        case EgressKind.BLACKHOLE:
            return [_Step("danger", "DROPPED", ("0.0.0.0/0 → None", "no internet egress"))]
        case EgressKind.NONE:
            cause = path.cause or Cause.PRIVATE_SUBNET
            return [_Step("danger", "NO EGRESS", (cause.label, "no outbound path"))]
        case EgressKind.UNKNOWN if path.cause is Cause.FORCED_TUNNELLING:
            return [_Step("unknown", "EGRESS", ("unknown: BGP may", "force-tunnel 0.0.0.0/0"))]
        case EgressKind.UNKNOWN:
            return [_Step("unknown", "EGRESS", ("unknown", "a hop was not read"))]
        case EgressKind.NAT_GATEWAY:
            pass
    addresses = [u for u in path.unknown_ids if ResourceKind.of(u) in ADDRESS_KINDS]
    may = path.may_leave_from
    if path.public_ips or may:
        if path.public_ips:
            ips = path.public_ips
            steps.append(_Step("ips", "PUBLIC IPS", _capped(ips), ips, MAX_LINES))
        if may:
            steps.append(_Step("warn", "MAY LEAVE FROM", _capped(may), may, MAX_LINES))
    elif addresses:
        names = _names(addresses)
        steps.append(_Step("unknown", "PUBLIC IPS · NOT READ", _capped(names), tuple(names)))
    elif path.public_ips == () and path.kind in (EgressKind.NAT_GATEWAY, EgressKind.LOAD_BALANCER):
        steps.append(_Step("danger", "PUBLIC IPS", ("none attached", "no internet egress")))
    elif path.kind in (
        EgressKind.UDR_APPLIANCE,
        EgressKind.AZURE_FIREWALL,
        EgressKind.UDR_GATEWAY,
        EgressKind.BASIC_LOAD_BALANCER,
    ):
        steps.append(_Step("beyond", "EGRESS IPS", ("decided beyond", "the next hop"), (), 0))
    elif path.kind is EgressKind.NODE_PUBLIC_IP:
        steps.append(_Step("beyond", "PUBLIC IPS", ("one per node,", "not predictable"), (), 0))
    return steps


def _title(kind: ResourceKind) -> str:
    return kind.label.upper()


def _route(path: EgressPath) -> str:
    match path.kind:
        case EgressKind.UDR_APPLIANCE:
            return "0.0.0.0/0 → appliance"
        case EgressKind.AZURE_FIREWALL:
            return "0.0.0.0/0 → firewall"
        case EgressKind.UDR_GATEWAY:
            return "0.0.0.0/0 → gateway"
        case EgressKind.BLACKHOLE:
            return "0.0.0.0/0 → None"
        case _:
            return "no 0.0.0.0/0 override"


def _route_class(path: EgressPath) -> str:
    return "danger" if path.kind is EgressKind.BLACKHOLE else "route"


def _idle(path: EgressPath) -> str:
    minutes = path.idle_timeout_minutes
    return "" if minutes is None else f"idle {minutes} min"


def _names(resource_ids: Sequence[ResourceId]) -> list[str]:
    return [r.name for r in resource_ids]


def _capped(items: Sequence[str]) -> tuple[str, ...]:
    if len(items) <= MAX_LINES - 1:
        return tuple(items)
    return (*items[: MAX_LINES - 2], f"+{len(items) - (MAX_LINES - 2)} more")


def _fit(lines: tuple[str, ...], full: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    fitted = tuple(line if len(line) <= CHARS else line[: CHARS - 1] + "…" for line in lines)
    if fitted == lines and (not full or full == lines):
        return fitted, ""
    return fitted, "\n".join(full or lines)
