"""The HTML report, read as markup: golden demo, CSP, no external reference, escaping, scale."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import re
from importlib import resources
from pathlib import Path

import pytest

from auditor import engine, snapshot
from auditor import policy as policy_module
from auditor.cli import main
from auditor.model import CollectionError, EgressKind, EgressPath
from auditor.result import AuditResult
from reports import Format, _diagram, _markdown, html, renderer
from rules.registry import BUILTIN
from tests import html_estates as estates
from tests.htmltree import Element, parse

PROD = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups"
NONPROD = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups"
AKS = "providers/Microsoft.ContainerService/managedClusters"
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
    assert [s.text for s in header.find("p", class_="verdict").find_all("span", class_="sev")] == [
        "0 critical",
        "2 high",
        "3 medium",
        "0 low",
        "0 info",
    ]


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
            assert element.tag == "a", element.tag
            assert href.startswith(("#", "https://")), href
    for inline in (demo.find("style").text, demo.find("script").text):
        assert not re.search(r"url\(|@import|https?:|fetch\(|XMLHttpRequest|\.src\b", inline)


def _finding_rows(tree: Element) -> list[tuple[str, str, str]]:
    table = tree.find("table", id="findings-table")
    return [
        (row.attrs["data-sev"], row.attrs["data-rule"], row.find("code", class_="rid").text)
        for row in table.find_all("tr", class_="finding")
    ]


def test_findings_table_rows(demo: Element) -> None:
    payments = f"{PROD}/rg-payments-prod/{AKS}/aks-payments-prod/agentPools"
    assert _finding_rows(demo) == [
        ("high", "EGR001", f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/batch"),
        ("high", "NET001", f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet"),
        ("medium", "NAT007", f"{payments}/jobs"),
        ("medium", "NAT007", f"{payments}/payments"),
        ("medium", "NAT007", f"{payments}/system"),
    ]


def test_a_finding_expands_to_its_reason_and_fix(demo: Element) -> None:
    row = demo.find("table", id="findings-table").find_all("tr", class_="finding")[0]
    details = row.find("details", class_="more")
    assert details.find("summary").text.startswith("Node pool batch of cluster aks-checkout-prod")
    assert "a node pool's subnet has none" in details.find("div", class_="why").text
    assert details.find("div", class_="help-slot").attrs["data-rule"] == "EGR001"
    assert details.find("pre").text == (
        "az network vnet subnet update -g rg-checkout-prod --vnet-name vnet-spoke-checkout "
        f"-n snet-aks-batch --nat-gateway {PROD}/rg-checkout-prod/providers/Microsoft.Network"
        "/natGateways/ng-checkout-egress"
    )
    rule = demo.find("details", id="rule-EGR001")
    links = [a.attrs["href"] for a in rule.find("p", class_="sources").find_all("a")]
    assert links == [
        "https://learn.microsoft.com/azure/nat-gateway/nat-overview",
        "https://learn.microsoft.com/azure/aks/nat-gateway",
        "https://learn.microsoft.com/azure/aks/egress-outboundtype",
    ]
    assert "<code>userAssignedNATGateway</code>" in _markdown.render(
        next(r for r in BUILTIN if r.meta.id == "EGR001").meta.help_markdown
    )


def _card(tree: Element, name: str) -> Element:
    return next(
        card
        for card in tree.find_all("details", class_="cluster")
        if card.find("bdi", class_="cname").text == name
    )


def test_cluster_card_shows_egress_ips_and_path(demo: Element) -> None:
    card = _card(demo, "aks-payments-prod")
    assert card.find("div", class_="copyable").find("code").text == "20.61.16.0/28"
    (figure,) = card.find_all("figure")
    boxes = [
        (g.attrs["class"], [t.text for t in g.find_all("text")])
        for g in figure.find("svg").find_all("g")
    ]
    assert boxes == [
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


def test_unknown_hops_are_drawn_distinctly_and_announced(demo: Element) -> None:
    card = _card(demo, "aks-integration-prod")
    assert "has-unknown" in card.classes()
    (figure,) = card.find_all("figure")
    assert "unknown" in figure.classes()
    last = figure.find("svg").find_all("g")[-1]
    assert last.attrs["class"] == "unknown"
    assert [t.text for t in last.find_all("text")] == [
        "PUBLIC IPS · NOT READ",
        "pipp-integration-egress",
    ]
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
    assert tiles == [("critical", "0"), ("high", "2"), ("medium", "3"), ("low", "0"), ("info", "0")]
    lists = summary.find_all("ul", class_="bars")
    bars = [
        [
            (li.find("span").text, li.find("b").text, li.find("small").text)
            for li in ul.find_all("li")
        ]
        for ul in lists
    ]
    assert bars == [
        [
            (
                "NAT007",
                "3",
                "The egress idle timeout outlasts the longest idle period a workload declares",
            ),
            (
                "EGR001",
                "1",
                "Every node pool of a NAT-gateway cluster sits in a subnet with a NAT gateway",
            ),
            ("NET001", "1", "Clusters use Azure CNI, not the retiring kubenet network plugin"),
        ],
        [
            ("Route to firewall / appliance", "2", "4 node pools"),
            ("NAT gateway", "7", "15 node pools"),
            ("Node public IPs", "1", "1 node pool"),
            ("Load balancer", "3", "4 node pools"),
            ("Default outbound access", "1", "1 node pool"),
        ],
        [
            ("11111111-1111-4111-8111-111111111111", "7", "16 node pools · 4 active findings"),
            ("22222222-2222-4222-8222-222222222222", "5", "9 node pools · 1 active finding"),
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
    estate = estates.large_estate(2)
    result = engine.audit(estate.snapshot(), policy_module.EMPTY, BUILTIN)
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


def test_hostile_names_render_as_text() -> None:
    text = html.render(estates.hostile_result())
    tree = parse(text)
    assert len(tree.find_all("script")) == 1
    assert not {e.tag for e in tree.iter()} & {"img", "i", "iframe", "object", "embed"}
    assert {tuple(sorted(e.classes())) for e in tree.find_all("svg")} <= {("egress",), ("bar",)}
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
SUBNET = f"{NET}/virtualNetworks/v/subnets/s"


def _path(kind: EgressKind, **fields: object) -> EgressPath:
    return EgressPath(kind, **{"subnet_id": SUBNET, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            _path(
                EgressKind.UDR_APPLIANCE,
                hops=(SUBNET, f"{NET}/routeTables/rt"),
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
            _path(EgressKind.BLACKHOLE, hops=(SUBNET, f"{NET}/routeTables/rt")),
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
                hops=(SUBNET, f"{NET}/natGateways/ng"),
                unknown_ids=(f"{NET}/natGateways/ng",),
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
            _path(EgressKind.UNKNOWN, subnet_id=None, unknown_ids=(SUBNET,)),
            [
                ("pool", ("a",)),
                ("unknown", ("s", "not in the snapshot")),
                ("unknown", ("unknown", "a hop was not read")),
            ],
            id="unread-subnet",
        ),
        pytest.param(
            _path(EgressKind.LOAD_BALANCER, hops=(SUBNET,), idle_timeout_minutes=30),
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
    drawing = _diagram.draw(_path(EgressKind.NONE, hops=(SUBNET,)), pools, pods=True)
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
    result, text = estates.large_report(5000)
    size = len(text.encode("utf-8"))
    assert size < MAX_BYTES, f"{size / 1e6:.1f} MB"
    # Large estates start with every card collapsed; every active finding has its row.
    assert text.count('<details class="cluster') == 5000
    assert " open>" not in text.split('id="clusters"')[1].split('id="rules"')[0]
    assert text.count('<tr class="finding"') == len(result.active_findings) == 1000


def test_any_scope_shape_is_shown() -> None:
    scope = {"subscriptions": ["s-1", "s-2"], "managementGroups": "mg-<root>", "limit": 5}
    result = dataclasses.replace(_demo_result(), scope=scope)
    codes = parse(html.render(result)).find("div", class_="scope").find_all("code")
    assert [c.text for c in codes] == ["5", "mg-<root>", "s-1", "s-2"]
