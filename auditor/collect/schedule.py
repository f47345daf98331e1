"""Many paged queries on a few threads, one page at a time.

A query's pages are a chain (each `$skipToken` comes from the page before), so the unit of
work is the next page of some query. Workers take first pages first, in plan order (they
reveal each query's size), then the next page of the query with the most pages left, so
the longest chain is never left waiting behind short ones. The wall time is then close to
the slowest query's own pages, or the total divided by the workers, whichever is longer.

Results land on each Job; the collector assembles them in plan order, so the snapshot is
the same whatever order pages complete in. A SignInFailed stops the run: jobs not started
get the same failure.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from auditor.collect.client import PageSource, QueryFailed, Scope, SignInFailed
from auditor.collect.credentials import one_line
from auditor.collect.limits import DEFAULT_WORKERS
from auditor.collect.paging import Paging, QueryResult


@dataclass(eq=False)
class Job:
    """One query of the plan and, once run, its result or its failure."""

    index: int  # position in the plan
    label: str
    query: str
    scope: Scope
    paging: Paging = field(default_factory=Paging)
    result: QueryResult | None = None
    failure: QueryFailed | None = None

    def priority(self) -> tuple[int, int, int]:
        if self.paging.pages == 0:
            return (0, 0, self.index)
        return (1, -self.paging.pages_left, self.index)


class _Run:
    def __init__(
        self, source: PageSource, jobs: Sequence[Job], on_page: Callable[[Job, int], None]
    ) -> None:
        self.source = source
        self.on_page = on_page
        self.ready = [(job.priority(), job) for job in jobs]
        heapq.heapify(self.ready)
        self.in_flight = 0
        self.stopped = False
        self.sign_in: SignInFailed | None = None  # no token could be had: stop
        self.crashed: BaseException | None = None  # raised again in the calling thread
        self.condition = threading.Condition()

    def take(self) -> Job | None:
        with self.condition:
            while not self.ready and self.in_flight and not self.stopped:
                self.condition.wait()
            if not self.ready or self.stopped:
                self.condition.notify_all()
                return None
            _, job = heapq.heappop(self.ready)
            self.in_flight += 1
            return job

    def work(self) -> None:
        try:
            self._work()
        except BaseException as exc:
            with self.condition:
                self.crashed = self.crashed or exc
                self.stopped = True
                self.condition.notify_all()

    def _work(self) -> None:
        while (job := self.take()) is not None:
            more, before = False, len(job.paging.rows)
            try:
                more = job.paging.accept(self.source.page(job.query, job.scope, job.paging.token))
            except QueryFailed as exc:
                job.failure = exc
            except Exception as exc:  # a bug here is one query's gap, not a crash
                job.failure = QueryFailed(
                    None, f"unexpected error: {type(exc).__name__}: {one_line(str(exc))}", 1
                )
            with self.condition:
                self.in_flight -= 1
                if more:
                    heapq.heappush(self.ready, (job.priority(), job))
                elif job.failure is None:
                    job.result = job.paging.result()
                elif isinstance(job.failure, SignInFailed):
                    self.sign_in = self.sign_in or job.failure
                    self.stopped = True
                self.condition.notify_all()
                self.on_page(job, len(job.paging.rows) - before)

    def not_started(self) -> list[Job]:
        return [job for _, job in self.ready]


def run(
    source: PageSource,
    jobs: Sequence[Job],
    *,
    workers: int = DEFAULT_WORKERS,
    on_page: Callable[[Job, int], None] = lambda job, rows: None,
) -> None:
    """Run every job to a result or a failure. `on_page(job, rows received)` is called after
    each page, one call at a time. `source.page` must be safe to call from several threads."""
    state = _Run(source, jobs, on_page)
    if workers <= 1:
        state.work()
    else:
        threads = [
            threading.Thread(target=state.work, name=f"egress-audit-{n}", daemon=True)
            for n in range(min(workers, len(jobs)))
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:
            with state.condition:  # e.g. Ctrl-C: no new page starts; daemon threads end with us
                state.stopped = True
                state.condition.notify_all()
            raise
    if state.crashed is not None:
        raise state.crashed
    if state.sign_in is not None:
        for job in state.not_started():
            job.failure = state.sign_in
