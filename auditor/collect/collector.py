"""Scope → subscriptions → batches → one paged query per type and batch → a Snapshot.

1. Resolve the scope to subscription IDs (`scope`): a mistyped or unreadable subscription is
   reported, never audited as an empty estate.
2. Split the subscriptions into batches (`--batch-size`, at most 1,000 per request).
3. Per batch, one query per resource type and one for `resourcechanges`, each paged
   (ceil(rows / 1000) requests). All queries of all batches run on `--concurrency` threads
   (`schedule`); each query stands alone, so the requests are the same whatever the order.
4. A batch with any resource query that failed (after its retries), whose pages did not add
   up, or that returned a row the snapshot cannot hold, is recorded as a gap naming its
   subscriptions and what went wrong; the rows of its other queries are kept.
5. If not one resource query succeeded, nothing was audited: CollectionFailed (exit 3).

The snapshot is assembled in plan order (batch, then type), never in completion order.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor import __version__
from auditor.collect import clouds
from auditor.collect.client import PageSource, QueryFailed, Scope, SignInFailed
from auditor.collect.clock import Clock
from auditor.collect.credentials import one_line
from auditor.collect.limits import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CHANGES_DAYS,
    DEFAULT_MAX_WAIT,
    DEFAULT_WORKERS,
    MAX_SUBSCRIPTIONS_PER_REQUEST,
    MAX_WORKERS,
)
from auditor.collect.paging import QueryResult, fetch_all
from auditor.collect.progress import Progress
from auditor.collect.query import changes_query, resources_query
from auditor.collect.schedule import Job, run
from auditor.collect.scope import Subscriptions, advice, batches, unique
from auditor.errors import CollectionFailed, InputError
from auditor.model import CollectionError
from auditor.reader import Node
from auditor.snapshot import RESOURCE_TYPES, Snapshot, check_row
from auditor.snapshot import Row as SnapshotRow

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
    concurrency: int = DEFAULT_WORKERS
    max_wait: int = DEFAULT_MAX_WAIT  # for the client's RetrySettings (args.collect_from_args)

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_SUBSCRIPTIONS_PER_REQUEST:
            raise ValueError(f"batch size must be 1..{MAX_SUBSCRIPTIONS_PER_REQUEST}")
        if not 1 <= self.concurrency <= MAX_WORKERS:
            raise ValueError(f"concurrency must be 1..{MAX_WORKERS}")


def collect(
    settings: CollectionSettings,
    source: PageSource,
    *,
    clock: Clock,
    progress: Progress | None = None,
) -> Snapshot:
    """Read the estate in `settings` through `source`. Raises CollectionFailed."""
    return _Collection(settings, source, clock, progress).run()


@dataclass(frozen=True, slots=True)
class _Batch:
    name: str
    subscriptions: tuple[str, ...]
    jobs: tuple[Job, ...]


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
        self.sign_in: SignInFailed | None = None
        self.ids: set[str] = set()  # of the resource rows kept, lower-case
        self.lock = threading.Lock()
        self.pages = self.rows = self.done = self.planned = 0

    def run(self) -> Snapshot:
        collected_at = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        subscriptions = Subscriptions(self.settings, self.fetch, self.errors).resolve()
        plan = self.plan(batches(subscriptions, self.settings.batch_size))
        jobs = [job for batch in plan for job in batch.jobs]
        self.planned = len(jobs)
        self.show("collecting")
        run(self.source, jobs, workers=self.settings.concurrency, on_page=self.on_page)
        for batch in plan:
            self.gather(batch)
        if self.succeeded == 0:
            raise self.nothing_collected()
        return Snapshot(
            source=f"Azure Resource Graph ({self.settings.cloud.arm_endpoint})",
            collected_at=collected_at,
            tool={"name": TOOL_NAME, "version": __version__},
            scope=self.scope_document(subscriptions, len(plan)),
            resources=self.resources,
            changes=self.changes,
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
        )

    def fetch(self, label: str, kql: str, scope: Scope) -> QueryResult:
        """One query, here and now (listing the scope). A sign-in failure ends the run."""
        self.show(label)

        received = 0

        def on_page(pages: int, rows: int) -> None:
            nonlocal received
            self.count(pages=1, rows=rows - received)
            received = rows

        try:
            return fetch_all(self.source, kql, scope, on_page)
        except SignInFailed as exc:
            raise CollectionFailed(exc.message) from None

    # -- steps 2 to 4: every batch ------------------------------------------------------------

    def queries(self) -> list[tuple[str, str]]:
        planned = [(t, resources_query(t)) for t in RESOURCE_TYPES]
        if self.settings.changes_days > 0:
            planned.append((CHANGES, changes_query(RESOURCE_TYPES, self.settings.changes_days)))
        return planned

    def plan(self, groups: list[tuple[str, ...]]) -> list[_Batch]:
        queries = self.queries()
        plan: list[_Batch] = []
        for number, subscriptions in enumerate(groups, start=1):
            first = len(plan) * len(queries)
            jobs = tuple(
                Job(first + position, label, kql, Scope(subscriptions))
                for position, (label, kql) in enumerate(queries)
            )
            plan.append(_Batch(f"subscriptions batch {number}/{len(groups)}", subscriptions, jobs))
        return plan

    def gather(self, batch: _Batch) -> None:
        """One batch's results into the snapshot, in plan order; its failures as one gap."""
        failed: list[tuple[str, QueryFailed]] = []
        for job in batch.jobs:
            failure = job.failure
            if isinstance(failure, SignInFailed):
                self.sign_in = self.sign_in or failure
            if failure is None and job.result is not None and job.label != CHANGES:
                failure = _invalid_row(job.result.rows) or self.repeated(job)
            if failure is not None:
                if job.label == CHANGES:
                    # Only attribution needs the history: the estate itself was read whole.
                    self.warnings.append(
                        f"{batch.name}: change history not read ({one_line(failure.message)}); "
                        "drift is reported without who made the change"
                    )
                else:
                    failed.append((job.label, failure))
                continue
            if job.result is not None:  # always: a job ends with a result or a failure
                self.keep(batch, job.label, job.result)
        if failed:
            self.errors.append(
                CollectionError(
                    batch.name, failed[0][1].status, _summary(failed), batch.subscriptions
                )
            )

    def repeated(self, job: Job) -> QueryFailed | None:
        """A resource another query returned too (IDs are unique across the snapshot)."""
        if not job.paging.ids.isdisjoint(self.ids):
            return QueryFailed(None, "returned a row id that another query returned too", 1)
        self.ids |= job.paging.ids
        return None

    def keep(self, batch: _Batch, label: str, result: QueryResult) -> None:
        if label != CHANGES:
            self.succeeded += 1
        (self.changes if label == CHANGES else self.resources[label]).extend(result.rows)
        if result.truncated and label == CHANGES:
            self.warnings.append(
                f"{batch.name}: change history incomplete ({result.truncated}); some drift "
                "may be reported without who made the change"
            )
        elif result.truncated:
            self.errors.append(
                CollectionError(
                    batch.name,
                    None,
                    f"{label}: {result.truncated}; these rows are incomplete",
                    batch.subscriptions,
                )
            )

    # -- progress -----------------------------------------------------------------------------

    def show(self, label: str) -> None:
        if self.progress is not None:
            self.progress.stage(label)

    def count(self, *, pages: int, rows: int, done: int = 0) -> None:
        with self.lock:
            self.pages += pages
            self.rows += rows
            self.done += done
            if self.progress is not None:
                self.progress.counted(self.done, self.planned, self.pages, self.rows)

    def on_page(self, job: Job, rows: int) -> None:
        finished = job.failure is not None or job.result is not None
        self.count(pages=1, rows=rows, done=int(finished))

    # -- the result ---------------------------------------------------------------------------

    def nothing_collected(self) -> CollectionFailed:
        if self.sign_in is not None:
            return CollectionFailed(self.sign_in.message)
        first = self.errors[-1]
        for error in self.errors:
            if error.scope.startswith("subscriptions batch"):
                first = error
                break
        what_to_do = advice(first.status, self.settings.cloud.arm_endpoint, first.message)
        return CollectionFailed(
            f"nothing could be collected from Azure Resource Graph ({first.scope}: "
            f"{one_line(first.message)}) — {what_to_do}"
        )

    def scope_document(self, subscriptions: list[str], batch_count: int) -> dict[str, Any]:
        settings = self.settings
        return {
            "tenant": not settings.subscriptions and not settings.management_groups,
            "requestedSubscriptions": unique(settings.subscriptions),
            "managementGroups": unique(settings.management_groups),
            "subscriptions": subscriptions,
            "cloud": settings.cloud.name,
            "armEndpoint": settings.cloud.arm_endpoint,
            "batchSize": settings.batch_size,
            "batches": batch_count,
            "changesDays": settings.changes_days,
        }


def _invalid_row(rows: Sequence[Any]) -> QueryFailed | None:
    """The first row the snapshot reader would refuse, as a failure of its query."""
    for index, row in enumerate(rows):
        try:
            check_row(Node("Resource Graph", f"row {index + 1}", row))
        except InputError as exc:
            return QueryFailed(
                None, f"returned a row the snapshot cannot hold ({exc.where}: {exc.problem})", 1
            )
    return None


def _summary(failed: list[tuple[str, QueryFailed]]) -> str:
    """`type, type: what went wrong; type: …`, one entry per distinct failure, plan order."""
    by_message: dict[str, list[str]] = {}
    for label, failure in failed:
        by_message.setdefault(failure.message, []).append(label)
    parts = []
    for message, labels in by_message.items():
        named = "every resource type" if len(labels) == len(RESOURCE_TYPES) else ", ".join(labels)
        parts.append(f"{named}: {message}")
    return "; ".join(parts)
