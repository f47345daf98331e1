"""Follow `$skipToken` until Resource Graph has no more pages; never ignore truncation.

Each page is one request of up to 1,000 rows, so a query costs ceil(rows / 1000) requests.
`resultTruncated == "true"` (a string) means Resource Graph could not page the result; it
comes without a `$skipToken`, so nothing more can be fetched: the rows received are kept and
the result says it is incomplete, for the collector to record as an error (re-sending the
query would truncate the same way, and `$skip` paging would not be stable either). A single
page whose `count` is below `totalRecords` with no `$skipToken` is treated the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from auditor.collect.client import TENANT_LIMIT_HIT, PageSource, QueryFailed, Row, Scope


@dataclass(frozen=True, slots=True)
class QueryResult:
    rows: list[Row]
    pages: int
    truncated: str | None  # why the rows are incomplete, or None
    tenant_limit_hit: bool  # tenant / MG scope covered only the first 10,000 subscriptions


def fetch_all(
    source: PageSource,
    query: str,
    scope: Scope,
    on_page: Callable[[int, int], None] = lambda pages, rows: None,
) -> QueryResult:
    """All rows of `query` in `scope`, one request per page. Raises QueryFailed."""
    rows: list[Row] = []
    pages = 0
    token: str | None = None
    seen_tokens: set[str] = set()
    truncated: str | None = None
    limit_hit = False
    while True:
        page = source.page(query, scope, token)
        pages += 1
        rows.extend(page.rows)
        on_page(pages, len(rows))
        limit_hit = limit_hit or page.headers.get(TENANT_LIMIT_HIT, "").lower() == "true"
        if page.truncated and truncated is None:
            truncated = 'Resource Graph truncated the result (resultTruncated is "true")'
        if page.skip_token is None:
            if truncated is None and pages == 1 and _short(len(page.rows), page.total_records):
                truncated = "Resource Graph returned fewer rows than totalRecords and no $skipToken"
            if truncated is not None:
                total = f" of {page.total_records}" if page.total_records is not None else ""
                truncated += f": received {len(rows)}{total} rows"
            return QueryResult(rows, pages, truncated, limit_hit)
        if page.skip_token in seen_tokens:
            raise QueryFailed(
                200, f"Resource Graph repeated $skipToken after {pages} pages; paging stopped", 1
            )
        seen_tokens.add(page.skip_token)
        token = page.skip_token


def _short(received: int, total: int | None) -> bool:
    return total is not None and received < total
