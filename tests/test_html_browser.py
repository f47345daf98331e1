"""The HTML report in a real browser: headless Chromium (Debian's) driven by Playwright.

Skipped with a reason on a developer machine without Chromium or Playwright; under CI (the
CI variable set) a missing browser fails instead, so the browser tests cannot go silently
unrun. The browser never reaches the network: every request is recorded, and any that is not
the report file itself is aborted and fails the test.

Pages are small (the demo, a few hundred clusters) and every wait is generous, so a loaded
machine cannot fail these tests; how fast a report of 10,000 clusters opens is measured by
benchmarks/run.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from auditor.cli import main
from reports import html
from rules.registry import BUILTIN
from tests import demo_expected, html_demo
from tests import demo_expected as expected
from tests import html_estates as estates
from tests.html_demo import (
    ACTIVE,
    CHECKOUT_BATCH,
    DATA_SUBNET,
    INTRANET,
    NG_REPORTING,
    PAYMENTS,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 120_000
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(chromium: Path = CHROMIUM) -> str | None:
    if not chromium.exists():
        return f"{chromium} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


def _require_browser(chromium: Path = CHROMIUM) -> None:
    """Skip on a developer machine without the browser; fail under CI, which must run these."""
    reason = _missing(chromium)
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI: {reason}")
        pytest.skip(reason)


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), (None, pytest.skip.Exception)]
)
def test_a_missing_browser_skips_locally_and_fails_in_ci(
    ci: str | None, outcome: type[BaseException], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="chromium is not installed"):
        _require_browser(tmp_path / "chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A fresh profile per run: Playwright gives every launch its own temporary user data dir.
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield launched
        launched.close()


@dataclass
class Opened:
    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.requests == [self.url]
        assert self.errors == []
        assert self.dialogs == []


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = browser.new_context(viewport={"width": 1280, "height": 900})
    yield created
    created.close()


def _open(context: BrowserContext, report: Path) -> Opened:
    page = context.new_page()
    opened = Opened(page, report.resolve().as_uri())

    def console(message: Any) -> None:
        if message.type in ("error", "warning"):
            opened.errors.append(f"console {message.type}: {message.text}")

    def dialog(shown: Any) -> None:
        opened.dialogs.append(shown.message)
        shown.dismiss()

    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("console", console)
    page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
    page.on("dialog", dialog)
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url == opened.url else route.abort(),
    )
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(opened.url, wait_until="load")
    if page.evaluate("!!document.querySelector('.pager:not([hidden])')"):
        # The script ran (it shows the pager); the pager says what it shows once the script
        # has drawn the table (for a large report, once it has read its data).
        page.wait_for_function("() => document.getElementById('p-info').textContent !== ''")
    return opened


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = tmp_path_factory.mktemp("browser") / "report.html"
    assert main(["--demo", "--format", "html", "--output", str(report)]) == 1
    return report


def _visible_rows(page: Page) -> list[str]:
    rows: list[str] = page.locator("#findings-table tr.finding:visible").evaluate_all(
        "rows => rows.map(r => r.dataset.rule + ' ' + r.querySelector('code.rid').textContent)"
    )
    return rows


def _rows(*severities: str, prefix: str = "") -> list[str]:
    """The demo's rows of these severities (and resource IDs starting with `prefix`), in order."""
    return [
        f"{rule} {resource}"
        for severity, rule, resource in ACTIVE
        if severity in severities and resource.startswith(prefix)
    ]


def _row(page: Page, rule_id: str, resource_id: str) -> Any:
    """The findings table's row of one finding, whatever its position."""
    rows = page.locator(f"#findings-table tr.finding[data-rule={rule_id}]").filter(
        has=page.get_by_text(resource_id, exact=True)
    )
    assert rows.count() == 1
    return rows


def test_demo_loads_offline_without_errors(
    context: BrowserContext, demo_report: Path, tmp_path: Path
) -> None:
    opened = _open(context, demo_report)
    screenshot = tmp_path / "demo.png"
    opened.page.screenshot(path=str(screenshot), full_page=True)
    opened.assert_clean()
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    total = len(ACTIVE)
    assert opened.page.locator("#p-info").inner_text() == f"Showing 1–{total} of {total}"
    assert _visible_rows(opened.page) == _rows("critical", "high", "medium", "low", "info")


def _open_card(page: Page, cluster: str) -> Any:
    """A cluster's card, opened (past 20 clusters the cards start collapsed)."""
    card = page.locator("details.cluster", has=page.locator("bdi.cname", has_text=cluster))
    if card.get_attribute("open") is None:
        card.locator("summary").first.click()
    return card


def _span(diagram: Any) -> int:
    first, last = diagram.boxes[0], diagram.boxes[-1]
    return int(last.x + diagram.box_width - first.x)


def test_drawings_show_their_shared_frames(context: BrowserContext, demo_report: Path) -> None:
    """Each drawing's boxes and arrows are a `<use>` of its shape's frame: under the report's
    Content-Security-Policy the reference resolves and draws (an unresolved one has no box)."""
    opened = _open(context, demo_report)
    boxes = opened.page.evaluate(
        """() => Array.from(document.querySelectorAll("svg.egress > use"), (use) => {
          const box = use.getBBox();
          return [use.closest("details").querySelector(".cname").textContent,
                  box.x, box.y, box.width, box.height];
        })"""
    )
    # Each drawing spans from its first box's left edge to its last box's right edge, as
    # the markup lays it out.
    views = html._context(html_demo.demo_result(), lazy=False)["clusters"]
    assert boxes == [
        [view.cluster.name, 4, 4, _span(path.diagram), path.diagram.box_height]
        for view in views  # type: ignore[attr-defined]
        for path in view.paths
    ]
    opened.assert_clean()


def test_filter_by_severity_hides_exactly_the_other_rows(
    context: BrowserContext, demo_report: Path
) -> None:
    opened = _open(context, demo_report)
    page = opened.page
    page.select_option("#f-sev", "high")
    assert _visible_rows(page) == _rows("high")
    assert f"EGR004 {DATA_SUBNET}" in _rows("high")
    high = len(_rows("high"))
    assert page.locator("#p-info").inner_text() == (
        f"Showing 1–{high} of {high} (filtered from {len(ACTIVE)})"
    )
    page.select_option("#f-sev", "medium")
    assert _visible_rows(page) == _rows("medium")
    assert len(_rows("medium")) == sum(1 for e in expected.ACTIVE if e.severity == "medium")
    page.select_option("#f-sev", "critical")
    assert _visible_rows(page) == [f"LB003 {INTRANET}", f"NAT001 {NG_REPORTING}"]
    page.select_option("#f-sub", "11111111-1111-4111-8111-111111111111")
    assert _visible_rows(page) == []  # the critical findings are in the other subscription
    assert page.locator("#p-info").inner_text() == "No finding matches the filters"
    page.select_option("#f-sev", "")
    page.select_option("#f-sub", expected.NONPROD)
    assert _visible_rows(page) == _rows(
        "critical", "high", "medium", "low", "info", prefix=html_demo.NONPROD
    )
    nonprod = html_demo.active_in(expected.NONPROD)
    assert page.locator("#p-info").inner_text() == (
        f"Showing 1–{nonprod} of {nonprod} (filtered from {len(ACTIVE)})"
    )
    page.select_option("#f-sub", "")
    page.fill("#f-text", "PAYMENTS-prod/agentpools/sys")
    assert _visible_rows(page) == [f"NAT007 {PAYMENTS}/system"]
    opened.assert_clean()


def test_columns_sort_both_ways(context: BrowserContext, demo_report: Path) -> None:
    opened = _open(context, demo_report)
    page = opened.page
    by_rule = sorted(rule_id for _, rule_id, _ in ACTIVE)
    # Rows of the same rule keep the report's order, both ways.
    everything = _rows("critical", "high", "medium", "low", "info")
    page.click("th[data-sort=rule] button")
    assert [r.split()[0] for r in _visible_rows(page)] == by_rule
    assert _visible_rows(page) == sorted(everything, key=lambda row: row.split()[0])
    assert page.get_attribute("th[data-sort=rule]", "aria-sort") == "ascending"
    page.click("th[data-sort=rule] button")
    assert [r.split()[0] for r in _visible_rows(page)] == by_rule[::-1]
    assert _visible_rows(page) == sorted(everything, key=lambda row: row.split()[0], reverse=True)
    assert page.get_attribute("th[data-sort=rule]", "aria-sort") == "descending"
    page.click("th[data-sort=sev] button")
    assert _visible_rows(page) == everything  # the report's own order is by severity
    opened.assert_clean()


def test_a_row_expands_to_the_rule_help_and_fix(context: BrowserContext, demo_report: Path) -> None:
    opened = _open(context, demo_report)
    page = opened.page
    row = _row(page, "EGR001", CHECKOUT_BATCH)
    row.locator("summary").click()
    # The rule's reason, help and sources, kept once in "Rules that ran", come into the row.
    assert row.locator("p.reason").inner_text() == (
        "Why: The cluster's outbound type says its egress is a NAT gateway, but a node pool's "
        "subnet has none, so that pool's traffic leaves by another path and from other IPs."
    )
    help_slot = row.locator(".help-slot")
    assert "A NAT gateway is attached per subnet" in help_slot.inner_text()
    assert help_slot.locator("a").first.get_attribute("href") == (
        "https://learn.microsoft.com/azure/nat-gateway/nat-overview"
    )
    assert help_slot.locator(".desc, .remediation").count() == 0  # said above, or filled in
    assert (
        row.locator(".copyable code")
        .inner_text()
        .startswith("az network vnet subnet update -g rg-checkout-prod")
    )
    # Closed and opened again, the row still has them once.
    row.locator("summary").click()
    row.locator("summary").click()
    assert (row.locator("p.reason").count(), row.locator(".help-slot").count()) == (1, 1)
    opened.assert_clean()


def test_cluster_card_shows_its_egress_ips_and_copies_them(
    context: BrowserContext, demo_report: Path
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = _open(context, demo_report)
    page = opened.page
    card = _open_card(page, "aks-payments-prod")
    ips = card.locator(".copyable code")
    assert ips.is_visible()
    assert ips.inner_text() == "20.61.16.0/28"
    assert card.locator("svg.egress text", has_text="20.61.16.0/28").is_visible()
    card.locator("button.copy").click()
    # The clipboard is written asynchronously; the button records the outcome when it is done.
    card.locator("button.copy[data-copied]").wait_for()
    assert card.locator("button.copy").get_attribute("data-copied") == "yes"
    assert page.evaluate("navigator.clipboard.readText()") == "20.61.16.0/28"
    opened.assert_clean()


def test_readable_without_javascript(browser: Browser, demo_report: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        opened = _open(context, demo_report)
        page = opened.page
        assert page.locator(".filters:visible").count() == 0
        assert _visible_rows(page) == _rows("critical", "high", "medium", "low", "info")
        assert page.locator("button.copy").count() == 0
        card = _open_card(page, "aks-payments-prod")  # <details> opens without script
        assert card.locator(".copyable code").inner_text() == "20.61.16.0/28"
        row = _row(page, "EGR001", CHECKOUT_BATCH)
        row.locator("summary").click()  # <details> opens without script
        assert row.locator(".copyable code").is_visible()
        # Without script the rule's reason and help stay in "Rules that ran": the row links there.
        assert row.locator(".help-slot").count() == 0
        link = row.locator("p.rule-link a")
        assert link.inner_text() == "Rule EGR001: reason, sources and help"
        link.click()
        assert page.evaluate("location.hash") == "#rule-EGR001"
        rule = page.locator("#rule-EGR001")
        rule.locator("summary").click()
        assert rule.locator("p.desc").is_visible()
        # The suppressed finding is listed apart, with its justification and expiry.
        suppressed = page.locator("#suppressed tbody tr")
        assert suppressed.locator("td").all_inner_texts()[5] == html_demo.SUPPRESSED_EXPIRES
        opened.assert_clean()
    finally:
        context.close()


def test_print_media_hides_the_controls(context: BrowserContext, demo_report: Path) -> None:
    opened = _open(context, demo_report)
    page = opened.page
    page.emulate_media(media="print")
    assert page.locator(".filters").count() == 2
    assert page.locator(".filters:visible").count() == 0
    assert not page.locator("button.copy").first.is_visible()
    rules = page.locator("details.rule")
    # the catalogue but the drift rules, which run only with a baseline
    assert rules.count() == len([r for r in BUILTIN if not r.meta.needs_baseline])
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    # Collapsed sections print open: every rule and every finding.
    assert page.locator("details.rule[open]").count() == rules.count()
    assert page.locator("details.more[open]").count() == len(ACTIVE)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.rule[open]").count() == 0
    assert page.locator("details.more[open]").count() == 0
    opened.assert_clean()


def test_hostile_names_stay_text_in_the_browser(context: BrowserContext, tmp_path: Path) -> None:
    report = tmp_path / "hostile.html"
    report.write_text(html.render(estates.hostile_result()), encoding="utf-8")
    opened = _open(context, report)
    page = opened.page
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("document.images.length") == 0
    assert page.locator("bdi.cname", has_text=estates.CLUSTER_NAME).first.is_visible()
    names = page.locator("#clusters table.pools bdi.name").all_inner_texts()
    assert names == [estates.POOL_NAME, estates.LONG_POOL, "sys"]
    subnet = page.locator("#clusters figure svg text", has_text="snet-hostile-<b>")
    assert subnet.first.is_visible()
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    opened.assert_clean()


def _lazy_without_markup_rows(result: Any, path: Path) -> Path:
    """A report drawn on demand whose markup holds no findings row: every row is drawn by the
    script from the data."""
    text = html.render(result, lazy=True)
    start = text.index("<tbody>", text.index('<table id="findings-table"')) + len("<tbody>")
    path.write_text(text[:start] + "\n" + text[text.index("</tbody>", start) :], encoding="utf-8")
    return path


# The structure (tags, attributes, non-blank text) of each card and row, every section open.
_DRAWN = """() => {
  const shape = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.replace(/\\s+/g, " ");
      return text.trim() ? text : null;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) { return null; }
    const attributes = Array.from(node.attributes, (a) => [a.name, a.value]).sort();
    const children = Array.from(node.childNodes, shape).filter((c) => c !== null);
    return [node.localName, attributes, children];
  };
  document.getElementById("open-all").click();
  const more = document.getElementById("c-more");
  while (more && !more.parentNode.hidden) { more.click(); }
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const drawn = (selector) =>
    Array.from(document.querySelectorAll(selector), (e) => [shape(e), e.innerText]);
  return { cards: drawn("details.cluster"), rows: drawn("#findings-table tr.finding") };
}"""


def test_cards_and_rows_drawn_on_demand_are_those_of_the_markup(
    context: BrowserContext, tmp_path: Path
) -> None:
    """The script draws a large report's cards and rows as the template writes a small one's:
    the demo drawn both ways has the same elements, attributes and text."""
    result = html_demo.demo_result()
    markup = tmp_path / "markup.html"
    markup.write_text(html.render(result, lazy=False), encoding="utf-8")
    lazy = _lazy_without_markup_rows(result, tmp_path / "lazy.html")
    static, drawn = _open(context, markup), _open(context, lazy)
    expected = static.page.evaluate(_DRAWN)
    seen = drawn.page.evaluate(_DRAWN)
    assert (len(seen["cards"]), len(seen["rows"])) == (demo_expected.CLUSTERS, len(ACTIVE))
    assert seen == expected
    static.assert_clean()
    drawn.assert_clean()


@pytest.fixture(scope="module")
def large_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, text = estates.large_report()
    report = tmp_path_factory.mktemp("large") / "large.html"
    report.write_text(text, encoding="utf-8")
    return report


def _cards(page: Page) -> list[str]:
    names: list[str] = page.locator("details.cluster:visible bdi.cname").all_inner_texts()
    return names


def test_a_large_report_pages_and_filters_every_finding(
    context: BrowserContext, large_report: Path
) -> None:
    result, _ = estates.large_report()
    active = result.active_findings
    total = len(active)
    opened = _open(context, large_report)
    page = opened.page
    assert page.locator("#p-info").inner_text() == f"Showing 1–100 of {total}"
    assert len(_visible_rows(page)) == 100
    page.click("#p-next")
    assert page.locator("#p-info").inner_text() == f"Showing 101–200 of {total}"
    assert _visible_rows(page) == [f"{f.rule_id} {f.resource_id}" for f in active[100:200]]
    # A row the script drew opens to its fix and its rule's help, as a row in the markup does.
    row = page.locator("#findings-table tr.finding").first
    row.locator("summary").click()
    assert row.locator(".help-slot").count() == 1
    page.select_option("#f-rule", "NET001")
    net001 = [f"NET001 {f.resource_id}" for f in active if f.rule_id == "NET001"]
    assert page.locator("#p-info").inner_text() == (
        f"Showing 1–{len(net001)} of {len(net001)} (filtered from {total})"
    )
    assert _visible_rows(page) == net001
    page.select_option("#f-rule", "")
    last = active[-1]
    page.fill("#f-text", last.resource_id.text.upper())
    assert f"{last.rule_id} {last.resource_id}" in _visible_rows(page)
    opened.assert_clean()


def test_a_large_report_draws_cluster_cards_as_they_are_looked_at(
    context: BrowserContext, large_report: Path
) -> None:
    result, _ = estates.large_report()
    opened = _open(context, large_report)
    page = opened.page
    assert _cards(page) == [c.name for c in result.clusters[:50]]  # the first batch
    assert page.locator("#c-more").inner_text() == "Show 50 more of 250 clusters"
    # Clicked where it is (a click that scrolled it into view would also draw the batch after).
    page.evaluate("document.getElementById('c-more').click()")
    assert len(_cards(page)) == 100
    # Find looks through every card, drawn or not.
    page.fill("#c-text", "AKS-APP-00280")
    assert _cards(page) == ["aks-app-00280"]
    assert page.locator("#c-info").inner_text() == "1 of 300 clusters"
    assert not page.locator("#c-more").is_visible()
    page.fill("#c-text", "20.0.1.30")  # an egress IP, shown in the card's drawing
    assert _cards(page) == ["aks-app-00286"]
    page.fill("#c-text", "")
    assert len(_cards(page)) == 50
    # Expanded, cards drawn later open too; scrolling to the end of the list draws more.
    page.click("#open-all")
    assert page.locator("details.cluster[open]").count() == 50
    page.locator("#c-more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('details.cluster').length >= 100")
    assert page.locator("details.cluster:not([open])").count() == 0
    # Printing draws every card.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.cluster").count() == 300
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.cluster").count() < 300
    opened.assert_clean()


def test_a_large_report_without_javascript_shows_its_first_page(
    browser: Browser, large_report: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        opened = _open(context, large_report)
        page = opened.page
        assert len(_visible_rows(page)) == 100
        assert page.locator("details.cluster").count() == 0
        notes = page.locator("noscript").all_inner_texts()
        assert len(notes) == 2
        assert notes[0].startswith("These are the first 100 of 360 active findings")
        opened.assert_clean()
    finally:
        context.close()


def test_hostile_names_stay_text_when_drawn_from_data(
    context: BrowserContext, tmp_path: Path
) -> None:
    report = _lazy_without_markup_rows(estates.hostile_result(), tmp_path / "hostile.html")
    opened = _open(context, report)
    page = opened.page
    page.click("#open-all")
    assert page.evaluate("document.scripts.length") == 1  # the data's element is gone, read
    assert page.evaluate("document.images.length") == 0
    assert page.locator("bdi.cname", has_text=estates.CLUSTER_NAME).first.is_visible()
    names = page.locator("#clusters table.pools bdi.name").all_inner_texts()
    assert names == [estates.POOL_NAME, estates.LONG_POOL, "sys"]
    page.fill("#f-text", "alert(6)")  # the drift finding's value, as text
    assert len(_visible_rows(page)) == 1
    opened.assert_clean()
