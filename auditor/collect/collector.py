"""Scope → subscriptions → batches → one paged query per resource type → a Snapshot.

1. Resolve the scope to subscription IDs with one `resourcecontainers` query per scope (per
   1,000 listed subscriptions, per management group, or once for the tenant), paged like any
   other. For `--subscription` this also proves each one is readable: a mistyped or
   unreadable subscription is reported, never audited as an empty estate.
2. Split the subscriptions into batches (`--batch-size`, at most 1,000 per request).
3. Per batch, one query per resource type and one for `resourcechanges`, each paged
   (ceil(rows / 1000) requests). A query that still fails after its retries ends that batch:
   the error names the batch's subscriptions, the HTTP status and the queries not run, and
   the other batches are still collected.
4. If not one resource query succeeded, nothing was audited: CollectionFailed (exit 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor import __version__
from auditor.collect import clouds
from auditor.collect.client import (
    MAX_SUBSCRIPTIONS_PER_REQUEST,
    PageSource,
    QueryFailed,
    Scope,
)
from auditor.collect.clock import Clock
from auditor.collect.credentials import WHAT_TO_DO, one_line
from auditor.collect.paging import QueryResult, fetch_all
from auditor.collect.progress import Progress
from auditor.collect.query import changes_query, resources_query, subscriptions_query
from auditor.errors import CollectionFailed
from auditor.model import CollectionError
from auditor.snapshot import RESOURCE_TYPES, Snapshot
from auditor.snapshot import Row as SnapshotRow

DEFAULT_BATCH_SIZE = 200  # Resource Graph advises groups of fewer than 300 subscriptions
DEFAULT_CHANGES_DAYS = 14
CHANGES = "resourcechanges"
TOOL_NAME = "egress-audit"


@dataclass(frozen=True, slots=True)
class CollectionSettings:
    subscriptions: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()
    batch_size: int = DEFAULT_BATCH_SIZE
    changes_days: int = DEFAULT_CHANGES_DAYS  # 0: no change history
    cloud: clouds.Cloud = field(default_factory=lambda: clouds.resolve(None, None))
    auth: str = "default"

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_SUBSCRIPTIONS_PER_REQUEST:
            raise ValueError(f"batch size must be 1..{MAX_SUBSCRIPTIONS_PER_REQUEST}")


def collect(
    settings: CollectionSettings,
    source: PageSource,
    *,
    clock: Clock,
    progress: Progress | None = None,
) -> Snapshot:
    """Read the estate in `settings` through `source`. Raises CollectionFailed."""
    return _Collection(settings, source, clock, progress).run()


def batches(subscriptions: Sequence[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(subscriptions[i : i + size]) for i in range(0, len(subscriptions), size)]


def _unique(items: Sequence[str]) -> list[str]:
    """First spelling of each item, compared case-insensitively, in input order."""
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lower(), item)
    return list(seen.values())


class _Collection:
    def __init__(
        self,
        settings: CollectionSettings,
        source: PageSource,
        clock: Clock,
        progress: Progress | None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.clock = clock
        self.progress = progress
        self.errors: list[CollectionError] = []
        self.warnings: list[str] = []
        self.resources: dict[str, list[SnapshotRow]] = {t: [] for t in RESOURCE_TYPES}
        self.changes: list[SnapshotRow] = []
        self.succeeded = 0
        self.pages = 0
        self.rows = 0

    def run(self) -> Snapshot:
        collected_at = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        subscriptions = self.resolve_subscriptions()
        groups = batches(subscriptions, self.settings.batch_size)
        for index, batch in enumerate(groups, start=1):
            self.collect_batch(batch, f"subscriptions batch {index}/{len(groups)}")
        if self.succeeded == 0:
            raise self.nothing_collected()
        return Snapshot(
            source=f"Azure Resource Graph ({self.settings.cloud.arm_endpoint})",
            collected_at=collected_at,
            tool={"name": TOOL_NAME, "version": __version__},
            scope=self.scope_document(subscriptions, len(groups)),
            resources=self.resources,
            changes=self.changes,
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
        )

    # -- step 1: which subscriptions -------------------------------------------------------

    def resolve_subscriptions(self) -> list[str]:
        found: list[str] = []
        requested = _unique(self.settings.subscriptions)
        if requested:
            found += self.check_requested(requested)
        for group in _unique(self.settings.management_groups):
            found += self.list_management_group(group)
        if not requested and not self.settings.management_groups:
            found += self.list_tenant()
        subscriptions = sorted(_unique(found), key=str.lower)
        if not subscriptions:
            why = ""
            if self.errors:
                why = f" ({self.errors[-1].scope}: {one_line(self.errors[-1].message)})"
            raise CollectionFailed(
                f"this identity can read none of the subscriptions in scope{why} — {WHAT_TO_DO}"
            )
        return subscriptions

    def check_requested(self, requested: list[str]) -> list[str]:
        readable: list[str] = []
        for chunk in batches(requested, MAX_SUBSCRIPTIONS_PER_REQUEST):
            try:
                result = self.fetch("checking subscriptions", subscriptions_query(), Scope(chunk))
            except QueryFailed as exc:
                self.errors.append(
                    CollectionError(
                        "subscription access",
                        exc.status,
                        f"could not check that these subscriptions are readable: {exc.message}",
                        chunk,
                    )
                )
                readable += chunk  # the resource queries will tell
                continue
            listed = {str(row.get("subscriptionId", "")).lower() for row in result.rows}
            readable += [s for s in chunk if s.lower() in listed]
        readable_set = set(readable)
        missing = tuple(s for s in requested if s not in readable_set)
        if missing:
            self.errors.append(
                CollectionError(
                    "subscription access",
                    None,
                    "not found, or not readable by this identity (it needs the Reader role)",
                    missing,
                )
            )
        return readable

    def list_management_group(self, group: str) -> list[str]:
        scope_name = f"management group {group}"
        try:
            result = self.fetch(
                f"listing {scope_name}",
                subscriptions_query(),
                Scope(management_groups=(group,)),
            )
        except QueryFailed as exc:
            self.errors.append(
                CollectionError(
                    scope_name, exc.status, f"cannot list its subscriptions: {exc.message}"
                )
            )
            return []
        listed = self.listed(result, scope_name)
        if not listed:
            self.errors.append(
                CollectionError(
                    scope_name,
                    None,
                    "no readable subscription in this management group (check the name, and "
                    "that the identity has the Reader role on it)",
                )
            )
        return listed

    def list_tenant(self) -> list[str]:
        try:
            result = self.fetch("listing subscriptions", subscriptions_query(), Scope())
        except QueryFailed as exc:
            raise CollectionFailed(
                f"cannot list the subscriptions this identity can read: {exc.message} — "
                + _advice(exc.status, self.settings.cloud.arm_endpoint)
            ) from None
        return self.listed(result, "tenant")

    def listed(self, result: QueryResult, scope_name: str) -> list[str]:
        if result.tenant_limit_hit:
            self.errors.append(
                CollectionError(
                    scope_name,
                    None,
                    "the identity can read more than 10,000 subscriptions and Resource Graph "
                    "listed only the first 10,000: collect per --management-group or "
                    "--subscription",
                )
            )
        if result.truncated:
            self.errors.append(
                CollectionError(scope_name, None, f"subscription list: {result.truncated}")
            )
        ids = (row.get("subscriptionId") for row in result.rows)
        return [s for s in ids if isinstance(s, str) and s]

    # -- steps 2 and 3: one batch -------------------------------------------------------------

    def queries(self) -> list[tuple[str, str]]:
        planned = [(t, resources_query(t)) for t in RESOURCE_TYPES]
        if self.settings.changes_days > 0:
            planned.append((CHANGES, changes_query(RESOURCE_TYPES, self.settings.changes_days)))
        return planned

    def collect_batch(self, batch: tuple[str, ...], scope_name: str) -> None:
        planned = self.queries()
        for position, (label, kql) in enumerate(planned):
            short = label.rsplit("/", 1)[-1]
            try:
                result = self.fetch(f"{scope_name} {short}", kql, Scope(batch))
            except QueryFailed as exc:
                if label == CHANGES:
                    # Only attribution needs the history: the estate itself was read whole.
                    self.warnings.append(
                        f"{scope_name}: change history not read ({one_line(exc.message)}); "
                        "drift is reported without who made the change"
                    )
                    continue
                message = f"{label}: {exc.message}"
                skipped = [name for name, _ in planned[position + 1 :]]
                if skipped:
                    message += f"; also not collected for this batch: {', '.join(skipped)}"
                self.errors.append(CollectionError(scope_name, exc.status, message, batch))
                return
            self.succeeded += 1
            (self.changes if label == CHANGES else self.resources[label]).extend(result.rows)
            if result.truncated and label == CHANGES:
                self.warnings.append(
                    f"{scope_name}: change history incomplete ({result.truncated}); some drift "
                    "may be reported without who made the change"
                )
            elif result.truncated:
                self.errors.append(
                    CollectionError(
                        scope_name,
                        None,
                        f"{label}: {result.truncated}; these rows are incomplete",
                        batch,
                    )
                )

    def fetch(self, label: str, kql: str, scope: Scope) -> QueryResult:
        pages_before, rows_before = self.pages, self.rows
        if self.progress is not None:
            self.progress.query(label)

        def on_page(pages: int, rows: int) -> None:
            self.pages, self.rows = pages_before + pages, rows_before + rows
            if self.progress is not None:
                self.progress.counted(self.pages, self.rows)
                self.progress.page(pages, rows)

        return fetch_all(self.source, kql, scope, on_page)

    # -- the result ---------------------------------------------------------------------------

    def nothing_collected(self) -> CollectionFailed:
        first = self.errors[-1]
        for error in self.errors:
            if error.scope.startswith("subscriptions batch"):
                first = error
                break
        advice = _advice(first.status, self.settings.cloud.arm_endpoint)
        return CollectionFailed(
            f"nothing could be collected from Azure Resource Graph ({first.scope}: "
            f"{one_line(first.message)}) — {advice}"
        )

    def scope_document(self, subscriptions: list[str], batch_count: int) -> dict[str, Any]:
        settings = self.settings
        return {
            "tenant": not settings.subscriptions and not settings.management_groups,
            "requestedSubscriptions": _unique(settings.subscriptions),
            "managementGroups": _unique(settings.management_groups),
            "subscriptions": subscriptions,
            "cloud": settings.cloud.name,
            "armEndpoint": settings.cloud.arm_endpoint,
            "batchSize": settings.batch_size,
            "batches": batch_count,
            "changesDays": settings.changes_days,
        }


def _advice(status: int | None, endpoint: str) -> str:
    if status is None:
        return f"check that this machine can reach {endpoint} over HTTPS"
    if status in (401, 403):
        return WHAT_TO_DO
    if status == 429 or status >= 500:
        return "Resource Graph is throttling or unavailable; try again later"
    return f"Resource Graph rejected the query (HTTP {status}); please report this"
