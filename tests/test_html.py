"""The HTML report, read as markup: golden demo, CSP, no external reference, escaping, scale."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from auditor.cli import main
from reports import Format, _markdown, html, renderer
from rules.registry import BUILTIN
from tests import demo_expected as expected
from tests import html_demo
from tests import html_estates as estates
from tests.html_demo import CHECKOUT_BATCH, PROD
from tests.htmltree import Element, children, finding_rows, parse


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
        f"{count} {severity}" for severity, count in html_demo.SEVERITY_COUNTS
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
        # The SVG namespace, with which the script makes drawings, names no resource.
        inline = inline.replace('"http://www.w3.org/2000/svg"', "")
        assert not re.search(r"url\(|@import|https?:|fetch\(|XMLHttpRequest|\.src\b", inline)


def test_findings_table_rows(demo: Element) -> None:
    assert finding_rows(demo) == html_demo.ACTIVE


def test_findings_table_matches_the_json_report(demo: Element, tmp_path: Path) -> None:
    """The same findings, in the same order, as the JSON report of the same run."""
    report = tmp_path / "demo.json"
    assert main(["--demo", "--format", "json", "--output", str(report)]) == 1
    findings: list[dict[str, Any]] = json.loads(report.read_text("utf-8"))["findings"]
    active = [f for f in findings if f["suppressed"] is None]
    assert finding_rows(demo) == [(f["severity"], f["ruleId"], f["resourceId"]) for f in active]


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
    assert rule.find("p", class_="severity").text == (
        "Severity: high; critical when the subnet is private (defaultOutboundAccess false)"
    )
    assert demo.find("details", id="rule-NAT003").find_all("p", class_="severity") == []
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


def _frame(tree: Element, figure: Element) -> Element:
    (use,) = children(figure.find("svg"), "use")
    return tree.find("g", id=use.attrs["href"].removeprefix("#"))


def _boxes(tree: Element, figure: Element) -> list[tuple[str, list[str]]]:
    """A drawing as it is seen: each box's paint, title and lines. The boxes and titles are in
    the frame the drawing uses (shared by every drawing of its shape); the lines are its own."""
    svg = figure.find("svg")
    frame = _frame(tree, figure)
    lines = [(int(t.attrs["x"]), t.text) for t in svg.find_all("text")]
    boxes = []
    for box in children(frame, "g"):
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
    frames = children(demo.find("svg", class_="frames").find("defs"), "g")
    figures = demo.find_all("figure", class_="path")
    used = Counter(_frame(demo, f).attrs["id"] for f in figures)
    # 21 clusters, 6 with two paths, and aks-partners-prod's gateway pods and virtual nodes
    assert (len(figures), len(frames)) == (29, 20)
    assert sorted(used) == sorted(g.attrs["id"] for g in frames)  # each one used
    shapes = {
        tuple(
            (box.attrs["class"], box.find("text").text, rect.attrs["x"], rect.attrs["height"])
            for box in children(frame, "g")
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
    last = children(_frame(demo, figure), "g")[-1].find("rect")
    assert (last.attrs["stroke"], last.attrs["stroke-dasharray"]) == ("#b45309", "6 4")
    banner = demo.find("section", class_="unknown")
    assert [li.text for li in banner.find_all("li")] == [
        "aks-branch-prod › system nodes: an unknown path (routes learned over BGP reach this "
        "subnet (it has no route table) from ExpressRoute gateway ergw-hub-weu in peered "
        "virtual network vnet-hub: a 0.0.0.0/0 advertised from on-premises (forced tunnelling) "
        "would take the traffic there instead, and Resource Graph does not show learned routes)",
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
    # most findings first, then by rule ID
    ordered = sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
    assert bars[0] == [(rule_id, str(count), titles[rule_id]) for rule_id, count in ordered]
    assert sorted(by_rule.items()) == sorted((b[0], int(b[1])) for b in bars[0])
    assert bars[1:] == [
        [
            ("Route to Azure Firewall", "4", "6 node pools"),
            ("NAT gateway", "11", "22 node pools"),
            ("Node public IPs", "1", "1 node pool"),
            ("Load balancer outbound rules", "3", "5 node pools"),
            ("Basic load balancer (implicit SNAT)", "1", "1 node pool"),
            ("Load-balancing rule SNAT", "1", "1 node pool"),
            ("Default outbound access", "1", "1 node pool"),
            ("No egress", "1", "2 node pools"),
            ("Unknown", "1", "1 node pool"),
        ],
        [
            (
                expected.PROD,
                "14",
                f"28 node pools · {html_demo.active_in(expected.PROD)} active findings",
            ),
            (
                expected.NONPROD,
                "7",
                f"12 node pools · {html_demo.active_in(expected.NONPROD)} active findings",
            ),
        ],
    ]


def test_a_large_report_carries_its_cards_and_rows_as_data() -> None:
    """Past 100 clusters, the markup holds the findings table's first page; every active finding
    and every cluster card travel as data the page's script draws from, each once."""
    result, text = estates.large_report()
    tree = parse(text)
    active = result.active_findings
    assert (len(result.clusters), len(active)) == (300, 360)
    assert not tree.find_all("details", class_="cluster")
    assert finding_rows(tree) == [
        (f.severity.value, f.rule_id, f.resource_id.text) for f in active[: html.PAGE]
    ]
    data = estates.report_data(text)
    assert [
        (
            html.SEVERITIES[f[0]].value,
            data["rules"][f[1]][0],
            estates.data_text(data, f[5]),
            estates.data_id(data, f[6]),
        )
        for f in data["findings"]
    ] == [(f.severity.value, f.rule_id, f.message, f.resource_id.text) for f in active]
    assert [estates.data_text(data, c[0]) for c in data["clusters"]] == [
        c.name for c in result.clusters
    ]
    # A card lists its findings by their number in the table: one cluster in ten has a pool
    # outside its NAT gateway's subnet (EGR001), one in ten is on kubenet (NET001).
    rules = Counter(
        data["rules"][data["findings"][n][1]][0] for c in data["clusters"] for n in c[11]
    )
    assert (rules["EGR001"], rules["NET001"]) == (30, 30)
    # Each shape of path is drawn once, in the markup; the cards' drawings refer to the frames.
    frames = {p[0] for c in data["clusters"] for p in c[8]}
    assert frames == set(range(len(children(tree.find("svg", class_="frames").find("defs"), "g"))))


def test_a_large_report_runs_one_script_with_the_same_policy(demo: Element) -> None:
    """The data is inert (a script element of a type no browser runs, holding only base64);
    the page runs one script, allowed by the same policy as a small report's."""
    _, text = estates.large_report()
    tree = parse(text)
    (data, script) = tree.find_all("script")
    assert data.attrs == {"type": "application/octet-stream", "id": "report-data"}
    assert re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", data.text)
    assert script.attrs == {}
    csp = tree.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert csp == demo.find("meta", http_equiv="Content-Security-Policy").attrs["content"]


def test_the_size_decides_how_a_report_is_drawn() -> None:
    demo = html_demo.demo_result()
    assert '<details class="cluster' in html.render(demo)
    assert 'id="report-data"' not in html.render(demo)
    lazy = html.render(demo, lazy=True)
    assert '<details class="cluster' not in lazy
    assert len(estates.report_data(lazy)["clusters"]) == expected.CLUSTERS
    many = dataclasses.replace(demo, clusters=demo.clusters * 7)  # 112 clusters
    assert 'id="report-data"' in html.render(many)


def test_text_in_the_data_is_the_text_the_markup_shows() -> None:
    """Hostile names travel as strings the script sets as text; invisible bidirectional
    controls are shown as in the markup."""
    text = html.render(estates.hostile_result(), lazy=True)
    strings = estates.report_data(text)["strings"]
    for hostile in (estates.CLUSTER_NAME, estates.POOL_NAME, estates.NAT_NAME, estates.LONG_POOL):
        assert hostile in strings
    assert "[U+202E]vnet-" + estates.VNET_NAME[len("\u202evnet-") :] in "\n".join(strings)
    assert not any("\u202e" in s for s in strings)


def test_any_scope_shape_is_shown() -> None:
    scope = {"subscriptions": ["s-1", "s-2"], "managementGroups": "mg-<root>", "limit": 5}
    result = dataclasses.replace(html_demo.demo_result(), scope=scope)
    codes = parse(html.render(result)).find("div", class_="scope").find_all("code")
    assert [c.text for c in codes] == ["5", "mg-<root>", "s-1", "s-2"]


def test_values_in_the_data_are_capped_as_in_the_markup() -> None:
    """A huge message, and an ID of many segments, each within the cap: the data holds what
    the markup would show, the whole value capped (reports/_bounded.py)."""
    from auditor.arm import ResourceId
    from reports._bounded import cap

    result = html_demo.demo_result()
    long_id = ResourceId.of("/subscriptions/s/" + "/".join(f"segment-{n:04d}" for n in range(900)))
    huge = dataclasses.replace(result.active_findings[0], message="m" * 9000, resource_id=long_id)
    lazy = dataclasses.replace(result, findings=(huge,))
    data = estates.report_data(html.render(lazy, lazy=True))
    (finding,) = data["findings"]
    assert estates.data_text(data, finding[5]) == cap("m" * 9000)
    assert estates.data_id(data, finding[6]) == cap(long_id.text)
    assert len(cap(long_id.text)) < len(long_id.text)
