"""Follow `$skipToken` until Resource Graph has no more pages, and check that they add up.

Each page is one request of up to 1,000 rows, so a query costs ceil(rows / 1000) requests.
The first page's `totalRecords` is the promise every later page is held to:

- Rows received may never exceed it, and `totalRecords` may not change between pages; no
  row id may come twice (the snapshot reader refuses a repeated ID).
- A page asked for with `$skipToken` that is empty but names yet another token makes no
  progress; a repeated token loops. Both fail the query.
- Pages are bounded: at most twice the pages `totalRecords` needs at 1,000 rows a page, plus
  two, and never more than MAX_PAGES; a query promising more than MAX_ROWS fails at once.
- Paging that ends (no `$skipToken`) short of `totalRecords`, or a page that says
  `resultTruncated: "true"`, leaves the result incomplete: the rows received are kept and
  the result says why, for the collector to record as a gap (re-sending the query would end
  the same way).

A failed query raises QueryFailed (status None: the HTTP exchange worked, its content did
not), and the collector records its scope as not read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from auditor.collect.client import PAGE_SIZE, TENANT_LIMIT_HIT, PageSource, QueryFailed, Scope
from auditor.collect.protocol import Page, Row, count_text

MAX_PAGES = 10_000  # per query: ten million rows of one type in one batch
MAX_ROWS = MAX_PAGES * PAGE_SIZE


@dataclass(frozen=True, slots=True)
class QueryResult:
    rows: list[Row]
    pages: int
    truncated: str | None  # why the rows are incomplete, or None
    tenant_limit_hit: bool  # tenant / MG scope covered only the first 10,000 subscriptions


def page_limit(total_records: int) -> int:
    needed = -(-total_records // PAGE_SIZE)
    return min(MAX_PAGES, 2 * needed + 2)


class Paging:
    """The pages of one query so far: what to ask for next, and whether they add up."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.pages = 0
        self.token: str | None = None  # to send with the next request
        self.total: int | None = None
        self._seen: set[str] = set()
        self.ids: set[str] = set()  # lower-case: IDs compare case-insensitively
        self._truncated: str | None = None
        self._limit_hit = False

    @property
    def pages_left(self) -> int:
        """Requests this query still needs if the server keeps its promise (a guess at first)."""
        if self.total is None:
            return MAX_PAGES
        return max(1, -(-(self.total - len(self.rows)) // PAGE_SIZE))

    def accept(self, page: Page) -> bool:
        """Take the next page; True if another is needed. Raises QueryFailed."""
        self.pages += 1
        total = self._check_total(page.total_records)
        if len(page.rows) > PAGE_SIZE:
            self._fail(f"page {self.pages} holds {len(page.rows):,} rows, more than $top")
        if page.skip_token is not None and not page.rows and self.pages > 1:
            self._fail(f"page {self.pages}, asked for with $skipToken, is empty but names another")
        for row in page.rows:
            row_id = row.get("id")
            if isinstance(row_id, str):
                if row_id.lower() in self.ids:
                    self._fail(f"the same row id came twice (page {self.pages})")
                self.ids.add(row_id.lower())
        self.rows.extend(page.rows)
        if len(self.rows) > total:
            self._fail(f"received {len(self.rows):,} rows, more than totalRecords")
        self._limit_hit = (
            self._limit_hit or page.headers.get(TENANT_LIMIT_HIT, "").lower() == "true"
        )
        if page.truncated and self._truncated is None:
            self._truncated = 'Resource Graph truncated the result (resultTruncated is "true")'
        if page.skip_token is None:
            if self._truncated is None and len(self.rows) < total:
                self._truncated = "Resource Graph returned fewer rows than totalRecords and no more"
                self._truncated += " pages" if self.pages > 1 else " $skipToken"
            return False
        if self.pages >= page_limit(total):
            self._fail(
                f"Resource Graph still sent $skipToken after {self.pages} pages, more than "
                f"{count_text(total)} rows need"
            )
        if page.skip_token in self._seen:
            self._fail(f"Resource Graph repeated $skipToken after {self.pages} pages")
        self._seen.add(page.skip_token)
        self.token = page.skip_token
        return True

    def result(self) -> QueryResult:
        truncated = self._truncated
        if truncated is not None:
            total = count_text(self.total) if self.total is not None else "?"
            truncated += f": received {len(self.rows):,} of {total} rows"
        return QueryResult(self.rows, self.pages, truncated, self._limit_hit)

    def _check_total(self, total: int) -> int:
        if self.total is None:
            if total > MAX_ROWS:
                self._fail(
                    f"Resource Graph promises {count_text(total)} rows for one query, more than "
                    f"the {MAX_ROWS:,} egress-audit reads at once (use a smaller --batch-size)"
                )
            self.total = total
        elif total != self.total:
            self._fail(
                f"totalRecords changed from {count_text(self.total)} to {count_text(total)} "
                f"on page {self.pages}"
            )
        return self.total

    def _fail(self, message: str) -> NoReturn:
        raise QueryFailed(None, f"{message}; paging stopped", 1)


def fetch_all(
    source: PageSource,
    query: str,
    scope: Scope,
    on_page: Callable[[int, int], None] = lambda pages, rows: None,
) -> QueryResult:
    """All rows of `query` in `scope`, one request per page. Raises QueryFailed."""
    paging = Paging()
    more = True
    while more:
        more = paging.accept(source.page(query, scope, paging.token))
        on_page(paging.pages, len(paging.rows))
    return paging.result()
