"""Property: whatever the server does, the live paging loop ends well.

Hypothesis draws an estate (two subscriptions, zero to three pages of NAT gateways each) and
a server that misbehaves in up to four ways at once (every kind of tests/collect/faults.py:
lying pages, endless tokens, quota and Retry-After headers of every shape, refusals,
redirects, broken bodies), then runs the real SDK client against it through `responses`
with the fake clock. Whatever happens:

- the run ends with a snapshot (exit 0 or 4) or CollectionFailed (exit 3), never another
  exception, and every message is one line that echoes no huge number;
- requests and waits are bounded: no single wait over its cap, the waits within
  --max-wait, the requests within what the page bounds and retries allow;
- every subscription not named by a gap has every row the server holds for it, once;
- the snapshot written is one the reader takes back unchanged.

Bounded to a few seconds (40 derandomized examples, and each fault kind once); to search
further, raise HYPOTHESIS_MAX_EXAMPLES and set HYPOTHESIS_RANDOM=1.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import responses
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from auditor import snapshot as snapshot_module
from auditor.collect import clouds
from auditor.collect.client import make_graph_client
from auditor.collect.collector import CollectionSettings, collect
from auditor.collect.paging import page_limit
from auditor.collect.retry import RetrySettings
from auditor.errors import CollectionFailed
from auditor.snapshot import MANAGED_CLUSTERS, NAT_GATEWAYS, RESOURCE_TYPES, Snapshot
from tests.collect.fakes import (
    QUERY_URL,
    SUB_A,
    SUB_B,
    FakeClock,
    FakeCredential,
    ResourceGraphEstate,
    synthetic_rows,
)
from tests.collect.faults import KINDS, Fault

PUBLIC = clouds.resolve(None, None)
SUBSCRIPTIONS = (SUB_A, SUB_B)
MAX_TOTAL_OFF = 3000
BIG_NUMBER = re.compile(r"\d{16}")

# As tests/test_property_inputs.py: derandomized, so the suite is the same on every run.
SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40")),
    deadline=None,
    derandomize=not os.environ.get("HYPOTHESIS_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

VALUES: dict[str, st.SearchStrategy[Any]] = {
    "quota-exhausted": st.sampled_from(["00:00:01", "00:00:30", "00:06:00", "01:00:00", "x"]),
    "retry-after": st.sampled_from(
        ["0", "2", "90", "301", "nan", "-5", "inf", "9" * 300, "Sun, 01 Mar 2026 12:00:09 GMT"]
    ),
    "status": st.sampled_from([400, 401, 403, 404, 409, 500, 503]),
    "total-off": st.integers(-MAX_TOTAL_OFF, MAX_TOTAL_OFF).filter(bool),
    "raw-body": st.sampled_from(
        [b"[]", b"null", b'"page"', b"", b'{"totalRecords": 1e400}', b"1" * 5000, b"\xff\xfe"]
    ),
}


@st.composite
def faults(draw: st.DrawFn) -> Fault:
    kind = draw(st.sampled_from(KINDS))
    return Fault(
        kind,
        subscription=draw(st.sampled_from([None, SUB_A, SUB_B])),
        table=draw(st.sampled_from(["resources", "resources", "resourcechanges", None])),
        marker=draw(st.sampled_from([None, "natgateways'", "managedclusters'"])),
        value=draw(VALUES[kind]) if kind in VALUES else None,
        times=draw(st.sampled_from([None, 1, 2, 6])),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "nat": [draw(st.sampled_from([2100, 1001, 1000, 1, 0])) for _ in SUBSCRIPTIONS],
        "faults": draw(st.lists(faults(), min_size=1, max_size=4)),
        "max_wait": draw(st.sampled_from([600, 45, 0])),
        "concurrency": draw(st.sampled_from([3, 1])),
    }


def every_kind_once(test: Any) -> Any:
    """Each fault on subscription B's NAT gateways (three pages), whatever the draw."""
    for kind in KINDS:
        value = {"quota-exhausted": "00:00:30", "retry-after": "nan", "status": 409,
                 "total-off": -1, "raw-body": b"[]"}.get(kind)  # fmt: skip
        fault = Fault(kind, subscription=SUB_B, marker="natgateways'", value=value)
        scenario = {"nat": [2100, 2100], "faults": [fault], "max_wait": 600, "concurrency": 3}
        test = example(scenario)(test)
    return test


def one_line(message: str) -> None:
    assert "\n" not in message
    assert "\r" not in message
    assert not BIG_NUMBER.search(message), message


@SETTINGS
@every_kind_once
@given(scenarios())
def test_every_server_behaviour_ends_in_a_gap_or_every_row(scenario: dict[str, Any]) -> None:
    estate = ResourceGraphEstate()
    for subscription, count in zip(SUBSCRIPTIONS, scenario["nat"], strict=True):
        estate.add(synthetic_rows(NAT_GATEWAYS, subscription, count))
        estate.add(synthetic_rows(MANAGED_CLUSTERS, subscription, 1))
    estate.injections.extend(scenario["faults"])
    clock = FakeClock()
    retry = RetrySettings(
        max_server_delay=min(300, scenario["max_wait"]), max_total_wait=scenario["max_wait"]
    )
    graph = make_graph_client(FakeCredential(), PUBLIC, clock=clock, retry=retry)
    wanted = CollectionSettings(
        subscriptions=SUBSCRIPTIONS, batch_size=1, concurrency=scenario["concurrency"]
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock, graph:
        mock.add_callback(responses.POST, QUERY_URL, callback=estate.callback)
        try:
            snapshot: Snapshot | None = collect(wanted, graph, clock=clock)
        except CollectionFailed as failure:  # exit 3
            one_line(str(failure))
            snapshot = None
        assert all(call.request.url.startswith(QUERY_URL) for call in mock.calls)

    # Bounded waits and requests.
    assert all(sleep <= retry.max_server_delay for sleep in clock.sleeps)
    assert graph.waits.spent <= retry.max_total_wait
    assert sum(clock.sleeps) <= retry.max_total_wait * scenario["concurrency"]
    queries = len(SUBSCRIPTIONS) * (len(RESOURCE_TYPES) + 1)
    pages = page_limit(max(scenario["nat"]) + MAX_TOTAL_OFF)
    assert len(estate.bodies) <= retry.max_attempts * (1 + queries * pages)

    if snapshot is None:
        return
    # Every row, or a recorded gap (exit 4).
    for message in (*(e.message for e in snapshot.errors), *snapshot.warnings):
        one_line(message)
    gaps = {s for error in snapshot.errors for s in error.subscriptions}
    for resource_type in RESOURCE_TYPES:
        for subscription in set(SUBSCRIPTIONS) - gaps:
            got = [
                r["id"] for r in snapshot.rows(resource_type) if r["subscriptionId"] == subscription
            ]
            truth = [
                r["id"]
                for r in estate.resources
                if r["type"] == resource_type and r["subscriptionId"] == subscription
            ]
            assert got == sorted(truth)
    # And a file every later audit can read.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "snap.json"
        snapshot_module.write(snapshot, path)
        assert snapshot_module.load(path).to_document() == snapshot.to_document()
