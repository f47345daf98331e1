"""Open an HTML report in headless Chromium and time its first screen.

    python -m benchmarks.browser REPORT.html      # prints one JSON object

Run in its own process by benchmarks.run (Playwright and the browser stay out of the
processes whose memory is measured). The browser is Debian's /usr/bin/chromium, never a
download, and the page may load nothing but the report file itself.

- `first_paint_s`: the browser's first contentful paint, from the start of navigation;
- `first_screen_s`: from the start of navigation until the report's script has run (for a
  large report: read its data) and the next frame is painted: the header, the summary and the
  findings table's first page are on screen, and its filters and pager work;
- `rows_shown` / `rows_total`: the findings table's first page, read from the page, so a
  broken report cannot pass for a fast one.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 600_000  # a slow page is a result to print, not an error

# Runs in the page once the load event has fired: the time of the first frame painted after the
# findings table's pager says what it shows (the script has run and read the report's data).
_FIRST_SCREEN = """() => new Promise((done) => {
  const ready = () => {
    const info = document.getElementById("p-info");
    return !document.getElementById("findings-table") || (info && info.textContent !== "");
  };
  const wait = (then) => (ready() ? then() : setTimeout(() => wait(then), 5));
  wait(() => requestAnimationFrame(() => setTimeout(() => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    const table = document.getElementById("findings-table");
    const rows = table ? Array.from(table.tBodies[0].rows) : [];
    done({
      first_screen_ms: performance.now(),
      first_paint_ms: paint ? paint.startTime : null,
      rows_shown: rows.filter((row) => !row.hidden && row.offsetParent !== null).length,
      info: (document.getElementById("p-info") || {}).textContent || "",
      summary: !!document.querySelector("#summary .tiles"),
    });
  }, 0)));
})"""


def measure(report: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    url = report.resolve().as_uri()
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url == url else route.abort(),
            )
            start = time.perf_counter()
            page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
            seen = page.evaluate(_FIRST_SCREEN)
            wall = time.perf_counter() - start
        finally:
            browser.close()
    return {
        "page_mb": report.stat().st_size / 1e6,
        "first_paint_s": None if seen["first_paint_ms"] is None else seen["first_paint_ms"] / 1e3,
        "first_screen_s": seen["first_screen_ms"] / 1e3,
        "wall_s": wall,
        "rows_shown": seen["rows_shown"],
        "info": seen["info"],
        "summary": seen["summary"],
        "errors": errors,
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
