"""Queries of all batches at once: the same snapshot and the same requests whatever the order,
and Resource Graph's per-user quota honoured across threads."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from auditor.collect import clouds
from auditor.collect.client import Scope, make_graph_client
from auditor.collect.collector import CollectionSettings, collect
from auditor.collect.paging import Paging
from auditor.collect.protocol import Page
from auditor.collect.schedule import Job, run
from auditor.snapshot import MANAGED_CLUSTERS, NAT_GATEWAYS, PUBLIC_IPS, RESOURCE_TYPES, Snapshot
from tests.collect.fakes import (
    FakeClock,
    FakeCredential,
    OverlappingClock,
    Reply,
    rate_limited,
    synthetic_rows,
)

PUBLIC = clouds.resolve(None, None)
SUBSCRIPTIONS = tuple(f"{i:08d}-0000-0000-0000-000000000000" for i in range(6))


def collect_with(estate, concurrency: int, **settings: Any) -> tuple[Snapshot, int]:
    clock = FakeClock()
    graph = make_graph_client(FakeCredential(), PUBLIC, clock=clock, random=lambda: 0.5)
    before = len(estate.bodies)
    with graph:
        snapshot = collect(
            CollectionSettings(cloud=PUBLIC, concurrency=concurrency, **settings),
            graph,
            clock=clock,
        )
    return snapshot, len(estate.bodies) - before


@pytest.fixture
def spread(estate) -> None:
    """Uneven types over six subscriptions: some queries need three pages, most one."""
    for n, subscription in enumerate(SUBSCRIPTIONS):
        estate.add(synthetic_rows(NAT_GATEWAYS, subscription, 450 * n))
        estate.add(synthetic_rows(PUBLIC_IPS, subscription, 100 + 150 * n))
        estate.add(synthetic_rows(MANAGED_CLUSTERS, subscription, n % 3))


@pytest.mark.usefixtures("mocked", "spread")
def test_the_snapshot_and_the_requests_do_not_depend_on_concurrency(estate):
    settings = {"subscriptions": SUBSCRIPTIONS, "batch_size": 2}
    one, requests_one = collect_with(estate, 1, **settings)
    for concurrency in (3, 16):
        many, requests_many = collect_with(estate, concurrency, **settings)
        assert many.to_document() == one.to_document()
        assert requests_many == requests_one
    # The minimum: one check, then per batch and type ceil(rows / 1000), at least one.
    batches = [SUBSCRIPTIONS[i : i + 2] for i in range(0, 6, 2)]
    pages = sum(
        max(1, -(-sum(1 for r in estate.resources if r["type"] == t and r["subscriptionId"] in b)
                 // 1000))
        for b in batches
        for t in (*RESOURCE_TYPES, "resourcechanges")
    )  # fmt: skip
    assert requests_one == 1 + pages
    nat = [r["id"] for r in one.rows(NAT_GATEWAYS)]
    assert nat == sorted(nat, key=lambda i: (i.split("/")[2], i))  # batch, then page order


class QuotaWindow:
    """Resource Graph's quota as the service keeps it: `limit` queries per `window` seconds
    of the (fake) clock, counted on arrival; over it, a 429."""

    def __init__(self, clock: FakeClock, limit: int, window: float) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self.used = 0
        self.ends = float("-inf")
        self.refused = 0

    def _headers(self) -> dict[str, str]:
        left = max(0.0, self.ends - self.clock.monotonic())
        return {
            "x-ms-user-quota-remaining": str(max(0, self.limit - self.used)),
            "x-ms-user-quota-resets-after": f"00:00:{left:06.3f}",
        }

    def __call__(self, number: int, body: dict[str, Any]) -> Reply | None:
        if self.clock.monotonic() >= self.ends:
            self.used, self.ends = 0, self.clock.monotonic() + self.window
        self.used += 1
        if self.used > self.limit:
            self.refused += 1
            return rate_limited(self._headers())
        return None

    def apply(self, body: dict[str, Any], reply: Reply) -> Reply:
        reply.headers.update(self._headers())
        return reply


@pytest.mark.usefixtures("mocked", "spread")
@pytest.mark.parametrize("concurrency", [2, 4])
def test_threads_stay_within_the_quota_the_headers_state(estate, concurrency):
    """More threads than the window holds queries are not simulated here: on the simulated
    clock one thread's sleep can move the time by seconds while another holds an answer it
    has not read yet, and a reply read seconds late cannot be told from the next window's
    (a real clock moves while it is read). tests/collect/test_parts.py checks the gate's
    count at a window's start on its own; benchmarks/collect.py counts 429s on a real clock."""
    clock = OverlappingClock()
    quota = QuotaWindow(clock, limit=15, window=5.0)
    estate.faults.append(quota)
    estate.injections.append(quota)
    graph = make_graph_client(FakeCredential(), PUBLIC, clock=clock, random=lambda: 0.5)
    settings = {"subscriptions": SUBSCRIPTIONS, "batch_size": 1, "concurrency": concurrency}
    with graph:
        snapshot = collect(CollectionSettings(**settings), graph, clock=clock)
    assert snapshot.errors == ()
    assert quota.refused == 0  # never throttled: the quota headers were honoured
    assert len(estate.bodies) > 15  # more than one window's worth, so it was tested
    assert clock.sleeps  # and waited for


class Pages:
    """A PageSource of `chains[label]` pages per query, recording what was asked in flight."""

    def __init__(self, chains: dict[str, int]) -> None:
        self.chains = chains
        self.lock = threading.Lock()
        self.order: list[tuple[str, int]] = []

    def page(self, query: str, scope: Scope, skip_token: str | None) -> Page:
        number = 0 if skip_token is None else int(skip_token)
        with self.lock:
            self.order.append((query, number))
        last = number + 1 == self.chains[query]
        rows = [{"id": f"/{query}/{number}"}]
        total = self.chains[query]
        return Page(rows, total, truncated=False, skip_token=None if last else str(number + 1),
                    headers={})  # fmt: skip


def test_first_pages_first_then_the_longest_chain():
    source = Pages({"a": 1, "b": 3, "c": 1, "d": 2})
    jobs = [Job(i, q, q, Scope(("s",))) for i, q in enumerate("abcd")]
    run(source, jobs, workers=1)
    assert source.order == [
        ("a", 0), ("b", 0), ("c", 0), ("d", 0),  # each query's size is learnt first
        ("b", 1), ("b", 2), ("d", 1),  # then the most pages left goes first
    ]  # fmt: skip
    assert [len(job.result.rows) for job in jobs] == [1, 3, 1, 2]


def test_a_failed_query_does_not_stop_the_others():
    class Failing(Pages):
        def page(self, query: str, scope: Scope, skip_token: str | None) -> Page:
            if (query, skip_token) == ("b", "1"):
                raise ValueError("a bug")
            return super().page(query, scope, skip_token)

    jobs = [Job(i, q, q, Scope(("s",))) for i, q in enumerate("abc")]
    run(Failing({"a": 2, "b": 3, "c": 2}), jobs, workers=3)
    assert [job.failure.message if job.failure else None for job in jobs] == [
        None,
        "unexpected error: ValueError: a bug",
        None,
    ]
    assert [job.result is not None for job in jobs] == [True, False, True]
    assert isinstance(jobs[1].paging, Paging)
