"""The HTML report's sections for gaps, suppressions and drift, and its escaping of hostile text."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path

from auditor.cli import main
from auditor.model import CollectionError
from reports import _markdown, html
from rules.registry import BUILTIN
from tests import demo_expected as expected
from tests import html_demo
from tests import html_estates as estates
from tests.html_demo import CHECKOUT_WIN, NG_PAYMENTS
from tests.htmltree import Element, children, finding_rows, parse


def test_partial_audit_banner_names_what_was_not_read() -> None:
    result = dataclasses.replace(
        html_demo.demo_result(),
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
    assert [r[1] for r in finding_rows(tree)] == ["EGR001", "NET001", "DRF001"]


def test_the_demo_policy_suppression_is_listed_apart(demo: Element) -> None:
    """Through the CLI (`egress-audit --demo --format html`): the demo policy suppresses WIN001
    on aks-checkout-prod's Windows pool; the report lists it apart, with why and until when."""
    (row,) = demo.find("section", id="suppressed").find("tbody").find_all("tr")
    severity, rule, resource, message, justification, expires = children(row, "td")
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
        " · auditor/demo/egress-audit.yaml:38"
    )
    assert expires.find("time").text == html_demo.SUPPRESSED_EXPIRES == "2027-01-31"
    # Neither a row of the findings table nor counted in the summary (see the tests above).
    assert CHECKOUT_WIN not in [resource_id for _, _, resource_id in finding_rows(demo)]
    assert [a.text for a in demo.find("nav", class_="toc").find_all("a")] == [
        "Summary",
        f"Findings ({len(html_demo.ACTIVE)})",
        "Suppressed (1)",
        f"Clusters ({expected.CLUSTERS})",
        f"Rules ({len([r for r in BUILTIN if not r.meta.needs_baseline])})",
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
    severity, rule, resource, change, before, after = children(row, "td")
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
    assert finding_rows(tree) == [("medium", "DRF004", NG_PAYMENTS)]
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
