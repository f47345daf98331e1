"""The HTML report in a real browser: headless Chromium (Debian's) driven by Playwright.

Skipped with a reason on a developer machine without Chromium or Playwright; under CI (the
CI variable set) a missing browser fails instead, so the browser tests cannot go silently
unrun. The browser never reaches the network: every request is recorded, and any that is not
the report file itself is aborted and fails the test.
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
from tests import html_estates as estates

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
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
PROD = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups"
NONPROD = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups"
AKS = "providers/Microsoft.ContainerService/managedClusters"
PAYMENTS = f"{PROD}/rg-payments-prod/{AKS}/aks-payments-prod/agentPools"
EGR001_ROW = f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/batch"
NET001_ROW = f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet"


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
    page.goto(opened.url, wait_until="load")
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


def test_demo_loads_offline_without_errors(
    context: BrowserContext, demo_report: Path, tmp_path: Path
) -> None:
    opened = _open(context, demo_report)
    screenshot = tmp_path / "demo.png"
    opened.page.screenshot(path=str(screenshot), full_page=True)
    opened.assert_clean()
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert opened.page.locator("#p-info").inner_text() == "Showing 1–5 of 5"


def test_filter_by_severity_hides_exactly_the_other_rows(
    context: BrowserContext, demo_report: Path
) -> None:
    opened = _open(context, demo_report)
    page = opened.page
    page.select_option("#f-sev", "high")
    assert _visible_rows(page) == [f"EGR001 {EGR001_ROW}", f"NET001 {NET001_ROW}"]
    assert page.locator("#p-info").inner_text() == "Showing 1–2 of 2 (filtered from 5)"
    page.select_option("#f-sev", "medium")
    assert _visible_rows(page) == [
        f"NAT007 {PAYMENTS}/jobs",
        f"NAT007 {PAYMENTS}/payments",
        f"NAT007 {PAYMENTS}/system",
    ]
    page.select_option("#f-sev", "critical")
    assert _visible_rows(page) == []
    assert page.locator("#p-info").inner_text() == "No finding matches the filters"
    page.select_option("#f-sev", "")
    page.select_option("#f-sub", "22222222-2222-4222-8222-222222222222")
    assert _visible_rows(page) == [f"NET001 {NET001_ROW}"]
    page.select_option("#f-sub", "")
    page.fill("#f-text", "PAYMENTS-prod/agentpools/sys")
    assert _visible_rows(page) == [f"NAT007 {PAYMENTS}/system"]
    opened.assert_clean()


def test_columns_sort_both_ways(context: BrowserContext, demo_report: Path) -> None:
    opened = _open(context, demo_report)
    page = opened.page
    page.click("th[data-sort=rule] button")
    assert [r.split()[0] for r in _visible_rows(page)] == [
        "EGR001",
        "NAT007",
        "NAT007",
        "NAT007",
        "NET001",
    ]
    page.click("th[data-sort=rule] button")
    assert [r.split()[0] for r in _visible_rows(page)] == [
        "NET001",
        "NAT007",
        "NAT007",
        "NAT007",
        "EGR001",
    ]
    assert page.get_attribute("th[data-sort=rule]", "aria-sort") == "descending"
    opened.assert_clean()


def test_a_row_expands_to_the_rule_help_and_fix(context: BrowserContext, demo_report: Path) -> None:
    opened = _open(context, demo_report)
    page = opened.page
    row = page.locator("#findings-table tr.finding").first
    row.locator("summary").click()
    help_slot = row.locator(".help-slot")
    assert "A NAT gateway is attached per subnet" in help_slot.inner_text()
    assert help_slot.locator("a").first.get_attribute("href") == (
        "https://learn.microsoft.com/azure/nat-gateway/nat-overview"
    )
    assert (
        row.locator(".copyable code")
        .inner_text()
        .startswith("az network vnet subnet update -g rg-checkout-prod")
    )
    opened.assert_clean()


def test_cluster_card_shows_its_egress_ips_and_copies_them(
    context: BrowserContext, demo_report: Path
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = _open(context, demo_report)
    page = opened.page
    card = page.locator(
        "details.cluster", has=page.locator("bdi.cname", has_text="aks-payments-prod")
    )
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
        assert len(_visible_rows(page)) == 5
        assert page.locator("button.copy").count() == 0
        card = page.locator(
            "details.cluster", has=page.locator("bdi.cname", has_text="aks-payments-prod")
        )
        assert card.locator(".copyable code").inner_text() == "20.61.16.0/28"
        row = page.locator("#findings-table tr.finding").first
        row.locator("summary").click()  # <details> opens without script
        assert row.locator(".copyable code").is_visible()
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
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.rule[open]").count() == 3  # collapsed sections print open
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.rule[open]").count() == 0
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


def test_five_thousand_clusters_page_through(context: BrowserContext, tmp_path: Path) -> None:
    result, text = estates.large_report(5000)
    report = tmp_path / "large.html"
    report.write_text(text, encoding="utf-8")
    opened = _open(context, report)
    page = opened.page
    total = len(result.active_findings)
    assert page.locator("#p-info").inner_text() == f"Showing 1–100 of {total}"
    assert len(_visible_rows(page)) == 100
    page.click("#p-next")
    assert page.locator("#p-info").inner_text() == f"Showing 101–200 of {total}"
    page.select_option("#f-rule", "NET001")
    assert page.locator("#p-info").inner_text() == f"Showing 1–100 of 500 (filtered from {total})"
    assert page.locator("details.cluster[open]").count() == 0
    page.fill("#c-text", "AKS-APP-00008")
    assert page.locator("details.cluster:visible bdi.cname").all_inner_texts() == ["aks-app-00008"]
    assert page.locator("#c-info").inner_text() == "1 of 5000 clusters"
    opened.assert_clean()
