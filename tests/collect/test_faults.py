"""A server that lies, stalls or refuses: every fault is a recorded gap or exit 3, never a
silent wrong answer, a traceback or an unbounded wait (the real SDK against `responses`)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor import snapshot as snapshot_module
from auditor.collect import clouds
from auditor.collect.client import make_graph_client
from auditor.collect.collector import CollectionSettings, collect
from auditor.collect.paging import MAX_ROWS
from auditor.collect.retry import RetrySettings
from auditor.errors import CollectionFailed, InputError
from auditor.snapshot import MANAGED_CLUSTERS, NAT_GATEWAYS, RESOURCE_TYPES, Snapshot
from tests.collect.fakes import (
    ARM,
    SUB_A,
    SUB_B,
    FakeClock,
    FakeCredential,
    Reply,
    ResourceGraphEstate,
    rate_limited,
    synthetic_rows,
)
from tests.collect.faults import inject

PUBLIC = clouds.resolve(None, None)
NAT = "=~ 'microsoft.network/natgateways'"


def run(
    clock: FakeClock,
    credential: FakeCredential,
    retry: RetrySettings | None = None,
    waits: list[tuple[float, str]] | None = None,
    **settings: Any,
) -> Snapshot:
    graph = make_graph_client(credential, PUBLIC, clock=clock, retry=retry, random=lambda: 0.5)
    if waits is not None:
        graph.on_wait = lambda delay, why: waits.append((delay, why))
    settings.setdefault("subscriptions", (SUB_A, SUB_B))
    settings.setdefault("batch_size", 1)
    with graph:
        return collect(CollectionSettings(cloud=PUBLIC, **settings), graph, clock=clock)


@pytest.fixture
def two_subscriptions(estate: ResourceGraphEstate) -> None:
    """1,500 NAT gateways (two pages) and a cluster in each of A and B."""
    for subscription in (SUB_A, SUB_B):
        estate.add(synthetic_rows(NAT_GATEWAYS, subscription, 1500))
        estate.add(synthetic_rows(MANAGED_CLUSTERS, subscription, 1))


def nat_ids(snapshot: Snapshot, subscription: str) -> list[str]:
    return [r["id"] for r in snapshot.rows(NAT_GATEWAYS) if r["subscriptionId"] == subscription]


def only_b_is_a_gap(snapshot: Snapshot, estate: ResourceGraphEstate) -> str:
    """B is recorded as not read, A was read whole; the gap's message."""
    assert [(e.scope, e.subscriptions) for e in snapshot.errors] == [
        ("subscriptions batch 2/2", (SUB_B,))
    ]
    expected = [r["id"] for r in estate.resources if r["type"] == NAT_GATEWAYS]
    assert nat_ids(snapshot, SUB_A) == sorted(i for i in expected if f"/{SUB_A}/" in i)
    message = snapshot.errors[0].message
    assert "\n" not in message
    return message


# -- pages that do not add up (#14 items 1 and 2) --------------------------------------------


@pytest.mark.usefixtures("two_subscriptions")
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "empty-follow-on-page",
            f"{NAT_GATEWAYS}: Resource Graph returned fewer rows than totalRecords and no more "
            "pages: received 1,000 of 1,500 rows; these rows are incomplete",
        ),
        (
            "empty-object",
            f"{NAT_GATEWAYS}: invalid Resource Graph page: the page lacks totalRecords, count, "
            "data, resultTruncated",
        ),
        (
            "count-mismatch",
            f"{NAT_GATEWAYS}: invalid Resource Graph page: count says 1,001 rows, data holds 1,000",
        ),
        (
            "endless-tokens",
            f"{NAT_GATEWAYS}: page 3, asked for with $skipToken, is empty but names another; "
            "paging stopped",
        ),
        (
            "duplicate-row",
            f"{NAT_GATEWAYS}: the same row id came twice (page 1); paging stopped",
        ),
    ],
)
def test_a_follow_on_page_that_does_not_add_up_is_a_gap(
    mocked, estate, clock, credential, kind, expected
):
    estate.injections.append(inject(kind, subscription=SUB_B, marker=NAT))
    snapshot = run(clock, credential)
    assert only_b_is_a_gap(snapshot, estate) == expected
    assert snapshot.errors[0].status is None  # the HTTP exchange worked; its content did not


def test_a_row_another_batch_returned_too_is_a_gap_not_an_unreadable_estate(
    mocked, estate, clock, credential
):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 2))
    estate.subscriptions(SUB_B)
    a_rows = [r for r in estate.resources if r["type"] == NAT_GATEWAYS]

    def b_answers_with_a(number: int, body: dict[str, Any]) -> Reply | None:
        if NAT in body["query"] and body["subscriptions"] == [SUB_B]:
            return Reply(200, page(2, a_rows, None))
        return None

    estate.faults.append(b_answers_with_a)
    snapshot = run(clock, credential, concurrency=3)
    assert [(e.subscriptions, e.message) for e in snapshot.errors] == [
        ((SUB_B,), f"{NAT_GATEWAYS}: returned a row id that another query returned too")
    ]
    assert [r["id"] for r in snapshot.rows(NAT_GATEWAYS)] == sorted(r["id"] for r in a_rows)


def test_the_issues_reproducer_a_follow_on_page_without_rows_or_protocol_fields(
    mocked, estate, clock, credential
):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1004))

    def short_second_page(number: int, body: dict[str, Any]) -> Reply | None:
        if NAT in body["query"] and "$skipToken" in body["options"]:
            return Reply(200, {"totalRecords": 1004, "count": 0, "data": []})
        return None

    estate.faults.append(short_second_page)
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    [error] = snapshot.errors
    assert error.message == (
        f"{NAT_GATEWAYS}: invalid Resource Graph page: the page lacks resultTruncated"
    )
    assert nat_ids(snapshot, SUB_A) == []  # a query whose pages lie is not kept


def page(total: int, rows: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    body = {"totalRecords": total, "count": len(rows), "data": rows, "resultTruncated": "false"}
    return body if token is None else {**body, "$skipToken": token}


def rows(page_number: int, count: int = 1) -> list[dict[str, Any]]:
    """`count` rows of their own on each page."""
    made = synthetic_rows(NAT_GATEWAYS, SUB_A, count)
    for row in made:
        row["id"] += f"-{page_number}"
    return made


@pytest.mark.parametrize(
    ("pages", "expected", "requests"),
    [
        # A new token on every page, a row on each: stopped by the page bound.
        (
            lambda n: page(2500, rows(n), f"t{n}"),
            "Resource Graph still sent $skipToken after 8 pages, more than 2,500 rows need",
            8,
        ),
        (lambda n: page(3, rows(n, 2), f"t{n}"), "received 4 rows, more than totalRecords", 2),
        (lambda n: page(3, rows(n), "same"), "Resource Graph repeated $skipToken after 2 pages", 2),
        (
            lambda n: page(5, rows(n), f"t{n}") if n < 3 else page(6, rows(n), None),
            "totalRecords changed from 5 to 6 on page 3",
            3,
        ),
        (lambda n: page(4, rows(1, 2), f"t{n}"), "the same row id came twice (page 2)", 2),
        (
            lambda n: page(10**300, [], "t"),
            f"Resource Graph promises more than 10¹⁵ rows for one query, more than the "
            f"{MAX_ROWS:,} egress-audit reads at once (use a smaller --batch-size)",
            1,
        ),
    ],
)
def test_paging_is_bounded_by_what_total_records_promised(
    mocked, estate, clock, credential, pages, expected, requests
):
    estate.subscriptions(SUB_A)
    seen = []

    def lying(number: int, body: dict[str, Any]) -> Reply | None:
        if NAT not in body["query"]:
            return None
        seen.append(number)
        return Reply(200, pages(len(seen)))

    estate.faults.append(lying)
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    [error] = snapshot.errors
    assert error.message == f"{NAT_GATEWAYS}: {expected}; paging stopped"
    assert len(seen) == requests
    assert "9" * 20 not in error.message


# -- waits: capped, budgeted, said (#14 items 3 and 6) ---------------------------------------


@pytest.mark.usefixtures("two_subscriptions")
def test_an_hour_of_quota_is_not_waited_for_and_says_why(mocked, estate, clock, credential):
    estate.injections.append(inject("quota-exhausted", marker="managedclusters'", times=1))
    waits: list[tuple[float, str]] = []
    snapshot = run(clock, credential, waits=waits, concurrency=1)
    assert clock.sleeps == []
    assert waits == []  # nothing was waited for
    why = (
        "Resource Graph query quota used up until it resets: asked to wait 3,600 s, longer "
        "than the 300 s egress-audit waits at once"
    )
    # The clusters of batch 1 were read before the quota ran out; nothing after that.
    assert [(e.scope, e.message) for e in snapshot.errors] == [
        ("subscriptions batch 1/2", f"{', '.join(RESOURCE_TYPES[1:])}: {why}"),
        ("subscriptions batch 2/2", f"every resource type: {why}"),
    ]
    assert [r["subscriptionId"] for r in snapshot.rows(MANAGED_CLUSTERS)] == [SUB_A]


@pytest.mark.usefixtures("two_subscriptions")
def test_a_short_quota_wait_is_made_and_announced(mocked, estate, clock, credential):
    estate.injections.append(inject("quota-exhausted", value="00:00:05", times=1))
    waits: list[tuple[float, str]] = []
    snapshot = run(clock, credential, waits=waits, concurrency=1)
    assert snapshot.errors == ()
    assert clock.sleeps == [5.0]
    assert waits == [(5.0, "Resource Graph query quota used up until it resets")]


def test_max_wait_is_a_budget_for_all_waits_together(mocked, estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 1))
    estate.injections.append(inject("retry-after", marker=NAT, value="7"))
    retry = RetrySettings(max_total_wait=10)
    snapshot = run(clock, credential, retry=retry, changes_days=0, concurrency=1)
    assert clock.sleeps == [7.0]  # the second 7 s would go beyond 10 s in all
    assert [e.subscriptions for e in snapshot.errors] == [(SUB_A,), (SUB_B,)]
    assert snapshot.errors[1].message.startswith(f"{NAT_GATEWAYS}: HTTP 429 RateLimiting: ")
    assert snapshot.errors[1].message.endswith(
        "(waiting 7 s more would exceed the --max-wait budget of 10 s (7 s already spent waiting))"
    )
    assert [e.message.split(":")[0] for e in snapshot.errors] == [NAT_GATEWAYS] * 2


@pytest.mark.parametrize("value", ["nan", "-5", "inf", "soon"])
def test_a_retry_after_that_names_no_sane_wait_backs_off(mocked, estate, clock, credential, value):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.injections.append(inject("retry-after", marker=NAT, value=value, times=2))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    assert clock.sleeps == [1.5, 3.0]  # the computed back-off, never "retry at once"
    assert snapshot.errors == ()


def test_a_300_digit_retry_after_is_refused_and_never_echoed(mocked, estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.injections.append(inject("retry-after", marker=NAT, value="9" * 300))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    assert clock.sleeps == []
    [error] = snapshot.errors
    assert "asked to wait more than a day" in error.message
    assert "99999" not in error.message


# -- every exception a gap or exit 3 (#14 items 4, 5, 6) --------------------------------------


@pytest.mark.usefixtures("two_subscriptions")
def test_a_redirect_is_not_followed_and_is_a_gap(mocked, estate, clock, credential):
    estate.injections.append(inject("redirect", subscription=SUB_B))
    snapshot = run(clock, credential)
    assert only_b_is_a_gap(snapshot, estate) == (
        "every resource type: HTTP 307: Resource Graph redirected the query to "
        "/subscriptions/x/providers/Microsoft.Resources/deployments/d; egress-audit follows none"
    )
    assert snapshot.errors[0].status == 307
    assert all(c.request.url.startswith(f"{ARM}/providers/") for c in mocked.calls)


@pytest.mark.usefixtures("two_subscriptions")
@pytest.mark.parametrize(
    ("status", "code"),
    [(401, "InvalidAuthenticationTokenTenant"), (403, "AuthorizationFailed"),
     (409, "MissingSubscriptionRegistration")],
)  # fmt: skip
def test_a_refusal_for_one_batch_is_that_batchs_gap(
    mocked, estate, clock, credential, status, code
):
    estate.injections.append(inject("status", subscription=SUB_B, value=status))
    snapshot = run(clock, credential)
    message = only_b_is_a_gap(snapshot, estate)
    assert message.startswith(f"every resource type: HTTP {status} {code}:")
    assert snapshot.errors[0].status == status
    # Not retried, and nothing but queries: no `POST …/register` for the 409.
    b_calls = [c for c in mocked.calls if SUB_B in json.loads(c.request.body)["subscriptions"]]
    assert len(b_calls) == 1 + len(RESOURCE_TYPES) + 1  # the access check, then each query once
    assert all("/register" not in c.request.url for c in mocked.calls)


def test_the_pipeline_is_the_sdks_without_auto_registration_or_decoding(credential):
    from azure.mgmt.resourcegraph import ResourceGraphClient

    from auditor.collect.client import pipeline_policies

    def kinds(policies: list[Any]) -> list[str]:
        return [type(getattr(p, "_policy", p)).__name__ for p in policies if p is not None]

    default = ResourceGraphClient(credential)._client._pipeline._impl_policies
    ours = make_graph_client(credential, PUBLIC, clock=FakeClock())._sdk._client._pipeline
    assert "ARMAutoResourceProviderRegistrationPolicy" in kinds(default)
    left_out = ("ARMAutoResourceProviderRegistrationPolicy", "ContentDecodePolicy")
    assert kinds(ours._impl_policies) == [k for k in kinds(default) if k not in left_out]
    assert kinds(pipeline_policies(credential, PUBLIC)) == kinds(ours._impl_policies)


def test_the_sdks_own_auto_registration_would_have_crashed_on_a_409(
    mocked, estate, clock, credential
):
    # What the SDK's default pipeline does with the 409 (the tenant-level query URL has no
    # subscription to register): one line and a gap even so, never a traceback.
    from azure.mgmt.resourcegraph import ResourceGraphClient

    from auditor.collect.client import GraphClient, refuse_writes

    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.injections.append(inject("status", marker=NAT, value=409))
    sdk = ResourceGraphClient(credential, retry_total=0, raw_request_hook=refuse_writes)
    with GraphClient(sdk, endpoint=ARM, clock=clock) as graph:
        snapshot = collect(CollectionSettings(subscriptions=(SUB_A,)), graph, clock=clock)
    [error] = snapshot.errors
    assert error.message == (
        f"{NAT_GATEWAYS}: unexpected error: ValueError: Unable to extract subscription ID from URL"
    )


def test_a_policy_that_tries_to_write_is_refused_as_one_line_and_a_gap(
    mocked, estate, clock, credential
):
    from azure.core.pipeline.policies import SansIOHTTPPolicy
    from azure.mgmt.resourcegraph import ResourceGraphClient

    from auditor.collect.client import GraphClient, pipeline_policies

    class Deleting(SansIOHTTPPolicy[Any, Any]):
        def on_request(self, request: Any) -> None:
            if "natgateways" in str(request.http_request.body):
                request.http_request.method = "DELETE"

    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    policies = pipeline_policies(credential, PUBLIC)
    policies.insert(1, Deleting())
    sdk = ResourceGraphClient(credential, policies=policies)
    with GraphClient(sdk, endpoint=ARM, clock=clock) as graph:
        snapshot = collect(CollectionSettings(subscriptions=(SUB_A,)), graph, clock=clock)
    [error] = snapshot.errors
    assert error.message == (
        f"{NAT_GATEWAYS}: refusing DELETE {ARM}/providers/Microsoft.ResourceGraph/resources?"
        "api-version=2021-03-01: egress-audit only sends Resource Graph queries"
    )
    assert all(c.request.method == "POST" for c in mocked.calls)


def test_anything_the_sdk_raises_is_one_querys_gap(mocked, estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    graph = make_graph_client(credential, PUBLIC, clock=clock)
    real = graph._sdk._send_request

    def flaky(request: Any, **kwargs: Any) -> Any:
        if "natgateways" in str(request.content):
            raise RuntimeError("something\nthe SDK\x1b[2J never said before")
        return real(request, **kwargs)

    graph._sdk._send_request = flaky
    with graph:
        snapshot = collect(CollectionSettings(subscriptions=(SUB_A,)), graph, clock=clock)
    [error] = snapshot.errors
    assert error.message == (
        f"{NAT_GATEWAYS}: unexpected error: RuntimeError: something the SDK?[2J never said before"
    )


def test_invalid_json_is_reported_as_such(mocked, estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.injections.append(inject("invalid-json", marker=NAT))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    [error] = snapshot.errors
    assert error.message == f"{NAT_GATEWAYS}: HTTP 200 answer whose body is not valid JSON"
    assert error.status is None


def test_sign_in_that_fails_midway_keeps_what_was_read(mocked, estate, clock):
    from azure.identity import CredentialUnavailableError

    class Expiring(FakeCredential):
        """Tokens that expire at once, and a sign-in that stops working after a few."""

        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            from azure.core.credentials import AccessToken

            self.scopes.append(scopes)
            if len(self.scopes) > 4:
                raise CredentialUnavailableError("Please run 'az login'")
            return AccessToken("fake-token", 0)

    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    snapshot = run(clock, Expiring(), subscriptions=(SUB_A,), concurrency=1)
    [error] = snapshot.errors
    unread = ", ".join(RESOURCE_TYPES[3:])  # the types after the first three queries
    assert error.message.startswith(
        f"{unread}: Azure authentication failed (Please run 'az login') — sign in with `az login`"
    )
    assert len(snapshot.rows(NAT_GATEWAYS)) == 1
    # Once sign-in fails nothing more is sent: 1 check + 3 queries, then the 4th fails.
    assert len(mocked.calls) == 4


def test_a_row_without_an_id_is_a_gap_and_the_snapshot_stays_readable(
    mocked, estate, clock, credential, tmp_path
):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 2))
    estate.add(synthetic_rows(MANAGED_CLUSTERS, SUB_A, 1))
    estate.injections.append(inject("row-without-id", marker=NAT))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    [error] = snapshot.errors
    assert error.message == (
        f"{NAT_GATEWAYS}: returned a row the snapshot cannot hold (row 1.id: missing)"
    )
    assert snapshot.rows(NAT_GATEWAYS) == []
    assert len(snapshot.rows(MANAGED_CLUSTERS)) == 1
    path = tmp_path / "snap.json"
    snapshot_module.write(snapshot, path)
    assert snapshot_module.load(path).errors == snapshot.errors


def test_a_snapshot_the_reader_would_refuse_is_never_written(tmp_path):
    bad = Snapshot(
        source="test",
        collected_at="2026-03-01T12:00:00Z",
        tool={},
        scope={},
        resources={NAT_GATEWAYS: [{"name": "no id"}]},
    )
    path = tmp_path / "snap.json"
    with pytest.raises(InputError) as failure:
        snapshot_module.write(bad, path)
    assert str(failure.value) == (
        f"{path}: resources.{NAT_GATEWAYS}[0].id: missing (snapshot not written)"
    )
    assert not path.exists()


def test_nothing_read_because_of_a_fault_everywhere_is_exit_3(mocked, estate, clock, credential):
    estate.subscriptions(SUB_A)
    estate.injections.append(inject("count-mismatch", table="resources"))
    with pytest.raises(CollectionFailed) as failure:
        run(clock, credential, subscriptions=(SUB_A,))
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith(
        "nothing could be collected from Azure Resource Graph (subscriptions batch 1/1: every "
        "resource type: invalid Resource Graph page: count says 1 rows, data holds 0)"
    )
    assert message.endswith("Resource Graph's answers could not be used; try again later")


def test_throttled_everywhere_the_batches_share_one_pause(mocked, estate, clock, credential):
    """A 429 pauses every thread (the quota is per user), and the pause is counted once."""
    for subscription in (SUB_A, SUB_B):
        estate.add(synthetic_rows(NAT_GATEWAYS, subscription, 1))
    estate.faults.append(lambda n, b: rate_limited({"Retry-After": "20"}) if n in (2, 3) else None)
    waits: list[tuple[float, str]] = []
    snapshot = run(clock, credential, waits=waits, changes_days=0, concurrency=4)
    assert snapshot.errors == ()
    assert all(why == "throttled (HTTP 429)" for _, why in waits)
    assert json.dumps(snapshot.to_document())  # whole, and serialisable
