"""The HTML report, read as markup: golden demo, CSP, no external reference, escaping, scale."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from auditor import engine, snapshot
from auditor import policy as policy_module
from auditor.arm import ResourceId
from auditor.cli import main
from auditor.model import CollectionError, EgressKind, EgressPath, Hop, ResourceKind
from auditor.result import AuditResult
from reports import Format, _diagram, _markdown, html, renderer
from rules.registry import BUILTIN
from tests import demo_expected as expected
from tests import html_demo
from tests import html_estates as estates
from tests.html_demo import CHECKOUT_BATCH, CHECKOUT_WIN, NG_PAYMENTS, PROD
from tests.htmltree import Element, parse

MAX_BYTES = 25 * 1024 * 1024


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    report = tmp_path_factory.mktemp("html") / "report.html"
    assert main(["--demo", "--format", "html", "--output", str(report)]) == 1  # findings by design
    return report.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def demo(demo_html: str) -> Element:
    return parse(demo_html)


def _demo_result() -> AuditResult:
    demo = resources.files("auditor.demo")
    snap = snapshot.parse_text(demo.joinpath("estate.json").read_text("utf-8"), "demo estate")
    policy = policy_module.parse(demo.joinpath("egress-audit.yaml").read_text("utf-8"), "p.yaml")
    return engine.audit(snap, policy, BUILTIN)


def test_two_runs_are_byte_identical(demo_html: str, tmp_path: Path) -> None:
    again = tmp_path / "again.html"
    main(["--demo", "--format", "html", "--output", str(again)])
    assert again.read_bytes() == demo_html.encode("utf-8")


def test_format_html_is_wired() -> None:
    assert renderer(Format.HTML) is html.render


def test_header_states_scope_time_and_version(demo: Element) -> None:
    header = demo.find("header")
    assert "2026-11-20T06:00:00Z" in header.find("time").text
    assert [c.text for c in header.find("div", class_="scope").find_all("code")] == [
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
    ]
    assert header.find("p", class_="kicker").text == "egress-audit 0.1.0"
    verdict = header.find("p", class_="verdict")
    assert [s.text for s in verdict.find_all("span", class_="sev")] == [
        "2 critical",
        "10 high",
        "15 medium",
        "5 low",
        "7 info",
    ]
    assert [c.text for c in verdict.find_all("span", class_="chip")] == ["1 suppressed"]


def test_csp_forbids_everything_but_the_inline_style_and_script(demo: Element) -> None:
    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    csp = demo.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    (style,) = demo.find_all("style")
    (script,) = demo.find_all("script")
    assert csp == (
        "default-src 'none'; "
        f"style-src 'sha256-{digest(style.text)}'; "
        f"script-src 'sha256-{digest(script.text)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    # The CSP must come before anything it governs.
    head = [e.tag for e in demo.find("head").children if isinstance(e, Element)]
    assert head.index("meta") < head.index("style")


def test_nothing_refers_outside_the_file(demo: Element) -> None:
    tags = {e.tag for e in demo.iter()}
    assert not tags & {"link", "img", "iframe", "object", "embed", "base", "form", "audio", "video"}
    for element in demo.iter():
        assert "src" not in element.attrs, element.tag
        for name in element.attrs:
            assert not name.startswith("on"), (element.tag, name)
        href = element.attrs.get("href")
        if href is not None:
            # Links, and the frames the drawings use: both only within this file or to https.
            assert element.tag in ("a", "use"), element.tag
            assert href.startswith("#" if element.tag == "use" else ("#", "https://")), href
            if href.startswith("#"):
                assert demo.find(id=href[1:]), href
    for inline in (demo.find("style").text, demo.find("script").text):
        assert not re.search(r"url\(|@import|https?:|fetch\(|XMLHttpRequest|\.src\b", inline)


def _finding_rows(tree: Element) -> list[tuple[str, str, str]]:
    table = tree.find("table", id="findings-table")
    return [
        (row.attrs["data-sev"], row.attrs["data-rule"], row.find("code", class_="rid").text)
        for row in table.find_all("tr", class_="finding")
    ]


def test_findings_table_rows(demo: Element) -> None:
    assert _finding_rows(demo) == html_demo.ACTIVE


def test_findings_table_matches_the_json_report(demo: Element, tmp_path: Path) -> None:
    """The same findings, in the same order, as the JSON report of the same run."""
    report = tmp_path / "demo.json"
    assert main(["--demo", "--format", "json", "--output", str(report)]) == 1
    findings: list[dict[str, Any]] = json.loads(report.read_text("utf-8"))["findings"]
    active = [f for f in findings if f["suppressed"] is None]
    assert _finding_rows(demo) == [(f["severity"], f["ruleId"], f["resourceId"]) for f in active]


def _finding_row(tree: Element, rule_id: str, resource_id: str) -> Element:
    (row,) = [
        row
        for row in tree.find("table", id="findings-table").find_all("tr", class_="finding")
        if row.attrs["data-rule"] == rule_id and row.find("code", class_="rid").text == resource_id
    ]
    return row


def test_a_finding_expands_to_its_reason_and_fix(demo: Element) -> None:
    row = _finding_row(demo, "EGR001", CHECKOUT_BATCH)
    details = row.find("details", class_="more")
    assert details.find("summary").text.startswith("Node pool batch of cluster aks-checkout-prod")
    assert details.find("pre").text == (
        "az network vnet subnet update -g rg-checkout-prod --vnet-name vnet-spoke-checkout "
        f"-n snet-aks-batch --nat-gateway {PROD}/rg-checkout-prod/providers/Microsoft.Network"
        "/natGateways/ng-checkout-egress"
    )
    # The rule's reason, help and sources are kept once, in "Rules that ran": the row links
    # there (its script copies them into the row when it opens).
    assert [a.attrs["href"] for a in details.find("p", class_="rule-link").find_all("a")] == [
        "#rule-EGR001"
    ]
    assert "a node pool's subnet has none" not in details.text
    assert not details.find_all("div", class_="help-slot")
    rule = demo.find("details", id="rule-EGR001")
    assert "a node pool's subnet has none" in rule.find("p", class_="desc").text
    links = [a.attrs["href"] for a in rule.find("p", class_="sources").find_all("a")]
    assert links == [
        "https://learn.microsoft.com/azure/nat-gateway/nat-overview",
        "https://learn.microsoft.com/azure/aks/nat-gateway",
        "https://learn.microsoft.com/azure/aks/egress-outboundtype",
    ]
    assert "<code>userAssignedNATGateway</code>" in _markdown.render(
        next(r for r in BUILTIN if r.meta.id == "EGR001").meta.help_markdown
    )


def test_rule_text_is_kept_once(demo_html: str) -> None:
    """Text that is the same for every finding of a rule is in the report once, not per row."""
    from markupsafe import escape

    for rule in BUILTIN:
        expected = 0 if rule.meta.needs_baseline else 1  # the demo report has no baseline
        assert demo_html.count(str(escape(rule.meta.description))) == expected, rule.meta.id


def _card(tree: Element, name: str) -> Element:
    return next(
        card
        for card in tree.find_all("details", class_="cluster")
        if card.find("bdi", class_="cname").text == name
    )


def _children(element: Element, tag: str) -> list[Element]:
    return [c for c in element.children if isinstance(c, Element) and c.tag == tag]


def _frame(tree: Element, figure: Element) -> Element:
    (use,) = _children(figure.find("svg"), "use")
    return tree.find("g", id=use.attrs["href"].removeprefix("#"))


def _boxes(tree: Element, figure: Element) -> list[tuple[str, list[str]]]:
    """A drawing as it is seen: each box's paint, title and lines. The boxes and titles are in
    the frame the drawing uses (shared by every drawing of its shape); the lines are its own."""
    svg = figure.find("svg")
    frame = _frame(tree, figure)
    lines = [(int(t.attrs["x"]), t.text) for t in svg.find_all("text")]
    boxes = []
    for box in _children(frame, "g"):
        rect, title = box.find("rect"), box.find("text")
        left = int(rect.attrs["x"])
        right = left + int(rect.attrs["width"])
        boxes.append((box.attrs["class"], [title.text, *(t for x, t in lines if left < x < right)]))
    return boxes


def test_cluster_card_shows_egress_ips_and_path(demo: Element) -> None:
    card = _card(demo, "aks-payments-prod")
    assert card.find("div", class_="copyable").find("code").text == "20.61.16.0/28"
    (figure,) = card.find_all("figure")
    assert _boxes(demo, figure) == [
        ("pool", ["NODE POOLS", "jobs", "payments", "system"]),
        ("subnet", ["SUBNET", "snet-aks-nodes", "in vnet-spoke-payments"]),
        ("nat", ["NAT GATEWAY", "ng-payments-egress", "idle 4 min"]),
        ("ips", ["PUBLIC IPS", "20.61.16.0/28"]),
    ]
    assert [s.text for s in card.find("summary").find_all("span", class_="chip")] == [
        "userAssignedNATGateway",
        "azure overlay",
        "Running",
    ]


def test_each_shape_of_path_is_drawn_once(demo: Element) -> None:
    frames = _children(demo.find("svg", class_="frames").find("defs"), "g")
    figures = demo.find_all("figure", class_="path")
    used = Counter(_frame(demo, f).attrs["id"] for f in figures)
    assert (len(figures), len(frames)) == (21, 15)  # 16 clusters, 5 with two paths
    assert sorted(used) == sorted(g.attrs["id"] for g in frames)  # each one used
    shapes = {
        tuple(
            (box.attrs["class"], box.find("text").text, rect.attrs["x"], rect.attrs["height"])
            for box in _children(frame, "g")
            for rect in [box.find("rect")]
        )
        for frame in frames
    }
    assert len(shapes) == len(frames)  # and none drawn twice


def test_unknown_hops_are_drawn_distinctly_and_announced(demo: Element) -> None:
    card = _card(demo, "aks-integration-prod")
    assert "has-unknown" in card.classes()
    (figure,) = card.find_all("figure")
    assert "unknown" in figure.classes()
    assert _boxes(demo, figure)[-1] == (
        "unknown",
        ["PUBLIC IPS · NOT READ", "pipp-integration-egress"],
    )
    last = _children(_frame(demo, figure), "g")[-1].find("rect")
    assert (last.attrs["stroke"], last.attrs["stroke-dasharray"]) == ("#b45309", "6 4")
    banner = demo.find("section", class_="unknown")
    assert [li.text for li in banner.find_all("li")] == [
        "aks-integration-prod › connectors nodes: NAT gateway ng-integration-egress "
        "(unknown addresses)",
        "aks-integration-prod › system nodes: NAT gateway ng-integration-egress "
        "(unknown addresses)",
        "/subscriptions/33333333-3333-4333-8333-333333333333/resourceGroups/rg-ipam-prod"
        "/providers/Microsoft.Network/publicIPPrefixes/pipp-integration-egress",
    ]
    assert not demo.find_all("section", class_="partial")
    assert not demo.find_all("section", class_="ok")


def test_summary_counts(demo: Element) -> None:
    summary = demo.find("section", id="summary")
    tiles = [
        (t.find("span", class_="lbl").text, t.find("span", class_="num").text)
        for t in summary.find_all("div", class_="tile")
    ]
    assert tiles == [(s, str(n)) for s, n in html_demo.SEVERITY_COUNTS]
    lists = summary.find_all("ul", class_="bars")
    bars = [
        [
            (li.find("span").text, li.find("b").text, li.find("small").text)
            for li in ul.find_all("li")
        ]
        for ul in lists
    ]
    titles = {rule.meta.id: rule.meta.title for rule in BUILTIN}
    by_rule = Counter(rule_id for _, rule_id, _ in html_demo.ACTIVE)
    assert bars[0] == [
        (rule_id, str(count), titles[rule_id])
        for rule_id, count in [
            ("NAT007", 3),  # most findings first, then by rule ID
            ("EGR002", 2),
            ("EGR003", 2),
            ("EGR010", 2),
            ("LB001", 2),
            ("NET002", 2),
            ("API001", 1),
            ("EGR001", 1),
            ("EGR004", 1),
            ("EGR005", 1),
            ("EGR006", 1),
            ("EGR007", 1),
            ("EGR008", 1),
            ("EGR009", 1),
            ("LB002", 1),
            ("LB003", 1),
            ("LIFE001", 1),
            ("META001", 1),
            ("NAT001", 1),
            ("NAT002", 1),
            ("NAT003", 1),
            ("NAT004", 1),
            ("NAT005", 1),
            ("NAT006", 1),
            ("NAT008", 1),
            ("NAT009", 1),
            ("NAT010", 1),
            ("NAT011", 1),
            ("NAT012", 1),
            ("NET001", 1),
            ("POL001", 1),
            ("POL002", 1),
        ]
    ]
    assert sorted(by_rule.items()) == sorted((b[0], int(b[1])) for b in bars[0])
    assert bars[1:] == [
        [
            ("Route to firewall / appliance", "3", "5 node pools"),
            ("NAT gateway", "9", "18 node pools"),
            ("Node public IPs", "1", "1 node pool"),
            ("Load balancer outbound rules", "4", "6 node pools"),
            ("Default outbound access", "1", "1 node pool"),
            ("Dropped (route to None)", "1", "1 node pool"),
            ("No egress", "1", "1 node pool"),
        ],
        [
            (
                expected.PROD,
                "10",
                f"22 node pools · {html_demo.active_in(expected.PROD)} active findings",
            ),
            (
                expected.NONPROD,
                "6",
                f"11 node pools · {html_demo.active_in(expected.NONPROD)} active findings",
            ),
        ],
    ]


def test_partial_audit_banner_names_what_was_not_read() -> None:
    result = dataclasses.replace(
        _demo_result(),
        collection_errors=(
            CollectionError("subscription 33333333", 403, "AuthorizationFailed", ("33333333",)),
        ),
    )
    tree = parse(html.render(result))
    banner = tree.find("section", class_="partial")
    assert banner.find("h2").text == "Partial audit: not everything was read"
    assert [li.text for li in banner.find_all("li")] == [
        "Not read: subscription 33333333 (HTTP 403): AuthorizationFailed — subscriptions 33333333 "
    ]


def test_a_complete_audit_says_so() -> None:
    result = estates.audit(estates.large_estate(2))
    tree = parse(html.render(result))
    assert tree.find("section", class_="ok").find("h2").text == "Complete"
    assert not tree.find_all("section", class_="unknown")


def test_suppressed_and_drift_are_shown_apart() -> None:
    tree = parse(html.render(estates.hostile_result()))
    (row,) = tree.find("section", id="suppressed").find("tbody").find_all("tr")
    cells = row.find_all("td")
    assert cells[1].text == "EGR001"
    assert cells[4].text.startswith(f"accepted by {estates.CLUSTER_NAME}")
    assert cells[5].text == "2099-01-01<img src=x>"
    (drift,) = tree.find("section", id="drift").find("tbody").find_all("tr")
    assert drift.find("td", class_="before").text == estates.SUBNET_NAME
    assert drift.find("td", class_="after").text == "</td></tr></table><script>alert(6)</script>"
    # The suppressed finding is not in the active table; the drift finding is.
    assert [r[1] for r in _finding_rows(tree)] == ["EGR001", "NET001", "DRF001"]


def test_the_demo_policy_suppression_is_listed_apart(demo: Element) -> None:
    """Through the CLI (`egress-audit --demo --format html`): the demo policy suppresses WIN001
    on aks-checkout-prod's Windows pool; the report lists it apart, with why and until when."""
    (row,) = demo.find("section", id="suppressed").find("tbody").find_all("tr")
    severity, rule, resource, message, justification, expires = _children(row, "td")
    assert severity.text == "low"
    assert rule.text == "WIN001"
    assert resource.find("bdi").text == "aks-checkout-prod › win"
    assert resource.find("small").text == "node pool"
    assert message.text == (
        "Node pool win of cluster aks-checkout-prod is a Windows pool that egresses through NAT "
        "gateway ng-checkout-egress (20.61.20.17/32) with OutboundNAT still enabled."
    )
    assert justification.children[0] == html_demo.SUPPRESSED_JUSTIFICATION
    assert justification.find("small").text == (
        "matches /subscriptions/*/resourceGroups/rg-checkout-prod/providers"
        "/Microsoft.ContainerService/managedClusters/aks-checkout-prod/agentPools/win"
        " · auditor/demo/egress-audit.yaml:33"
    )
    assert expires.find("time").text == html_demo.SUPPRESSED_EXPIRES == "2027-01-31"
    # Neither a row of the findings table nor counted in the summary (see the tests above).
    assert CHECKOUT_WIN not in [resource_id for _, _, resource_id in _finding_rows(demo)]
    assert [a.text for a in demo.find("nav", class_="toc").find_all("a")] == [
        "Summary",
        f"Findings ({len(html_demo.ACTIVE)})",
        "Suppressed (1)",
        "Clusters (16)",
        "Rules (33)",
    ]


def test_drift_through_the_cli_shows_before_and_after(tmp_path: Path) -> None:
    """`egress-audit drift --baseline B --demo --format html`, with B the demo estate as it was
    when ng-payments-egress dropped idle flows after 10 minutes instead of 4."""
    text = resources.files("auditor.demo").joinpath("estate.json").read_text("utf-8")
    document = json.loads(text)
    (nat,) = [
        row
        for row in document["resources"]["microsoft.network/natgateways"]
        if row["name"] == "ng-payments-egress"
    ]
    assert nat["properties"]["idleTimeoutInMinutes"] == 4
    nat["properties"]["idleTimeoutInMinutes"] = 10
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(document), encoding="utf-8")
    report = tmp_path / "drift.html"
    argv = ["drift", "--baseline", str(baseline), "--demo", "--format", "html"]
    assert main([*argv, "--output", str(report)]) == 1
    tree = parse(report.read_text("utf-8"))

    section = tree.find("section", id="drift")
    assert section.find("p", class_="muted").find("bdi").text == str(baseline)
    (row,) = section.find("tbody").find_all("tr")
    severity, rule, resource, change, before, after = _children(row, "td")
    assert severity.text == "medium"  # lowered: medium; raised: low
    assert rule.text == "DRF004"
    assert resource.find("bdi").text == "ng-payments-egress"
    assert resource.find("small").text == "NAT gateway"
    assert change.children[0] == (
        "NAT gateway ng-payments-egress, egress of cluster aks-payments-prod, now drops idle "
        "flows after 4 minutes instead of 10. No change record in the snapshot's history says "
        "who made this change."
    )
    assert [s.text for s in change.find_all("small")] == ["device: nat-gateway"]
    assert (before.attrs["class"], before.text) == ("before", "10")
    assert (after.attrs["class"], after.text) == ("after", "4")
    # A drift finding is a finding: the only row of the table, and linked from the contents.
    assert _finding_rows(tree) == [("medium", "DRF004", NG_PAYMENTS)]
    assert [a.attrs["href"] for a in tree.find("nav", class_="toc").find_all("a")] == [
        "#summary",
        "#drift",
        "#findings",
        "#clusters",
        "#rules",
    ]
    assert [d.attrs["id"] for d in tree.find_all("details", class_="rule")] == [
        f"rule-DRF00{i}" for i in range(1, 7)
    ]


def test_hostile_names_render_as_text() -> None:
    text = html.render(estates.hostile_result())
    tree = parse(text)
    assert len(tree.find_all("script")) == 1
    assert not {e.tag for e in tree.iter()} & {"img", "i", "iframe", "object", "embed"}
    assert {tuple(sorted(e.classes())) for e in tree.find_all("svg")} <= {
        ("egress",),
        ("bar",),
        ("frames",),
    }
    for element in tree.iter():
        assert not any(name.startswith("on") for name in element.attrs), element
    visible = tree.find("body").text
    for name in estates.HOSTILE_TEXTS:
        shown = name.replace("\u202e", "[U+202E]")
        assert shown in visible, name
        if "<" in name:
            assert name not in text  # never raw markup
    assert "\u202e" not in text  # bidi overrides are shown, never applied
    assert estates.CLUSTER_NAME in [e.text for e in tree.find_all("bdi", class_="cname")]


def test_markdown_subset_escapes_everything_else() -> None:
    source = (
        'Use `a<b>` **now** [docs](https://learn.microsoft.com/x?a=1&b="2") '
        "[bad](javascript:alert(1)) <script>alert(1)</script>\n\n- one <i>\n- two"
    )
    assert str(_markdown.render(source)) == (
        "<p>Use <code>a&lt;b&gt;</code> <strong>now</strong> "
        '<a href="https://learn.microsoft.com/x?a=1&amp;b=&#34;2&#34;" rel="noopener noreferrer">'
        "docs</a> [bad](javascript:alert(1)) &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        "<ul><li>one &lt;i&gt;</li><li>two</li></ul>"
    )


NET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"
SUBNET = ResourceId.of(f"{NET}/virtualNetworks/v/subnets/s")
TABLE = ResourceId.of(f"{NET}/routeTables/rt")
NAT = ResourceId.of(f"{NET}/natGateways/ng")
SUBNET_HOP = Hop(ResourceKind.SUBNET, SUBNET)


def _path(kind: EgressKind, **fields: object) -> EgressPath:
    return EgressPath(kind, **{"subnet_id": SUBNET, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            _path(
                EgressKind.UDR_APPLIANCE,
                hops=(
                    SUBNET_HOP,
                    Hop(ResourceKind.ROUTE_TABLE, TABLE),
                    Hop(ResourceKind.APPLIANCE, address="10.0.0.4"),
                ),
                public_ips=None,
                next_hop_ip="10.0.0.4",
            ),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("route", ("rt", "0.0.0.0/0 → appliance")),
                ("fw", ("10.0.0.4", "virtual appliance")),
                ("beyond", ("decided beyond", "the next hop")),
            ],
            id="firewall",
        ),
        pytest.param(
            _path(EgressKind.BLACKHOLE, hops=(SUBNET_HOP, Hop(ResourceKind.ROUTE_TABLE, TABLE))),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("danger", ("rt", "0.0.0.0/0 → None")),
                ("danger", ("0.0.0.0/0 → None", "no internet egress")),
            ],
            id="blackhole",
        ),
        pytest.param(
            _path(
                EgressKind.UNKNOWN,
                hops=(SUBNET_HOP, Hop(ResourceKind.NAT_GATEWAY, NAT)),
                unknown_ids=(NAT,),
            ),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("unknown", ("ng", "not in the snapshot")),
                ("unknown", ("unknown", "a hop was not read")),
            ],
            id="unread-nat",
        ),
        pytest.param(
            _path(EgressKind.UNKNOWN, subnet_id=None, hops=(SUBNET_HOP,), unknown_ids=(SUBNET,)),
            [
                ("pool", ("a",)),
                ("unknown", ("s", "not in the snapshot")),
                ("unknown", ("unknown", "a hop was not read")),
            ],
            id="unread-subnet",
        ),
        pytest.param(
            _path(EgressKind.LOAD_BALANCER, hops=(SUBNET_HOP,), idle_timeout_minutes=30),
            [
                ("pool", ("a",)),
                ("subnet", ("s", "in v")),
                ("lb", ("outbound rules", "idle 30 min")),
                ("danger", ("none attached", "no internet egress")),
            ],
            id="lb-without-ips",
        ),
    ],
)
def test_diagram_boxes(path: EgressPath, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    drawing = _diagram.draw(path, ["a"], pods=False)
    assert [(b.kind, b.lines) for b in drawing.boxes] == expected
    assert [(a.x1, a.x2) for a in drawing.arrows] == [
        (b.x + _diagram.BOX_WIDTH, n.x) for b, n in itertools.pairwise(drawing.boxes)
    ]


def test_long_names_are_shortened_with_the_full_text_as_tooltip() -> None:
    pools = [f"pool-{i:02d}-with-a-rather-long-name" for i in range(6)]
    drawing = _diagram.draw(_path(EgressKind.NONE, hops=(SUBNET_HOP,)), pools, pods=True)
    first = drawing.boxes[0]
    assert first.title == "PODS OF NODE POOLS"
    assert first.lines == (
        "pool-00-with-a-rather-…",
        "pool-01-with-a-rather-…",
        "pool-02-with-a-rather-…",
        "+3 more",
    )
    assert first.tip == "\n".join(pools)


def test_five_thousand_clusters_stay_under_25_mb() -> None:
    """The whole catalogue over 5,000 clusters (15,000 node pools): about 6,000 findings."""
    result, text = estates.large_report(5000)
    size = len(text.encode("utf-8"))
    print(f"5,000 clusters, {len(result.active_findings)} findings: {size:,} bytes")
    assert size < MAX_BYTES, f"{size / 1e6:.1f} MB"
    # Large estates start with every card collapsed; every active finding has its row.
    assert text.count('<details class="cluster') == 5000
    assert " open>" not in text.split('id="clusters"')[1].split('id="rules"')[0]
    rows = Counter(re.findall(r'<tr class="finding" data-sev="[a-z]+" data-rule="(\w+)"', text))
    assert rows == Counter(f.rule_id for f in result.active_findings)
    # What the estate is built for: one cluster in six has a pool outside its NAT gateway's
    # subnet, one in ten is on kubenet.
    assert (rows["EGR001"], rows["NET001"]) == (500, 500)
    # Each shape of path is drawn once: the 5,834 drawings (one per cluster, and one more for
    # each of the 834 clusters with a pool in another subnet) share 7 frames: the NAT gateway
    # (for 2 or 3 pools), default outbound (1), the load balancer (1, 2 or 3) and the firewall.
    assert text.count("<use href=") == 5834
    assert text.count('<g id="frame-') == 7


def test_any_scope_shape_is_shown() -> None:
    scope = {"subscriptions": ["s-1", "s-2"], "managementGroups": "mg-<root>", "limit": 5}
    result = dataclasses.replace(_demo_result(), scope=scope)
    codes = parse(html.render(result)).find("div", class_="scope").find_all("code")
    assert [c.text for c in codes] == ["5", "mg-<root>", "s-1", "s-2"]
