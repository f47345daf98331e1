"""The collector against the real SDK (azure-mgmt-resourcegraph 8.0.1) and `responses`.

Nothing here sleeps or leaves the process: the clock is fake, the credential is fake, and
every request is answered by `ResourceGraphEstate` through `responses`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from auditor.collect import clouds
from auditor.collect.client import QueryFailed, Scope, make_graph_client
from auditor.collect.collector import CollectionSettings, collect
from auditor.collect.paging import fetch_all
from auditor.collect.query import RESOURCE_COLUMNS, resources_query
from auditor.collect.retry import RetrySettings
from auditor.errors import CollectionFailed, ExitCode
from auditor.model import CollectionError
from auditor.snapshot import (
    MANAGED_CLUSTERS,
    NAT_GATEWAYS,
    RESOURCE_TYPES,
    VIRTUAL_NETWORKS,
    Snapshot,
)
from tests.collect.fakes import (
    ARM,
    QUERY_URL,
    SUB_A,
    SUB_B,
    SUB_C,
    TENANT,
    FakeClock,
    FakeCredential,
    Reply,
    ResourceGraphEstate,
    arg_row,
    example_body,
    rate_limited,
    server_error,
    synthetic_rows,
)

PUBLIC = clouds.resolve(None, None)
NAT_QUERY = "type =~ 'microsoft.network/natgateways'"


def run(
    clock: FakeClock,
    credential: FakeCredential,
    cloud: clouds.Cloud = PUBLIC,
    **settings: Any,
) -> Snapshot:
    graph = make_graph_client(credential, cloud, clock=clock, random=lambda: 0.5)
    with graph:
        return collect(CollectionSettings(cloud=cloud, **settings), graph, clock=clock)


def posted(mock: responses.RequestsMock) -> list[dict[str, Any]]:
    return [json.loads(call.request.body) for call in mock.calls]


def only_resource_graph_posts(mock: responses.RequestsMock) -> None:
    for call in mock.calls:
        assert call.request.method == "POST"
        assert call.request.url.split("?")[0] == QUERY_URL
        assert call.request.url.endswith("?api-version=2021-03-01")


# -- paging ---------------------------------------------------------------------------------


def test_three_pages_follow_skip_token_until_it_is_absent(clock, credential):
    # Pages 1 and 2 are the specification's own examples (both carry a $skipToken); their
    # totalRecords (386) counts a larger estate than the 7 rows these three pages hold.
    first = {**example_body("ResourcesFirstPageQuery"), "totalRecords": 7}
    second = {**example_body("ResourcesNextPageQuery"), "totalRecords": 7}
    last = {
        "totalRecords": 7,
        "count": 1,
        "data": [{"id": "/subscriptions/x/resourceGroups/RG3/providers/Microsoft.Compute/disks/d"}],
        "facets": [],
        "resultTruncated": "false",
    }
    bodies = iter([first, second, last])
    with responses.RequestsMock() as mocked:
        mocked.add_callback(
            responses.POST,
            QUERY_URL,
            callback=lambda request: (
                200,
                {"Content-Type": "application/json"},
                json.dumps(next(bodies)),
            ),
        )
        graph = make_graph_client(credential, PUBLIC, clock=clock)
        result = fetch_all(graph, "resources | project id", Scope((SUB_A,)))
        only_resource_graph_posts(mocked)
        bodies_sent = posted(mocked)

    assert result.rows == first["data"] + second["data"] + last["data"]
    assert (result.pages, result.truncated) == (3, None)
    assert bodies_sent == [
        {
            "subscriptions": [SUB_A],
            "query": "resources | project id",
            "options": {"$top": 1000, "resultFormat": "objectArray", "allowPartialScopes": False},
        },
        {
            "subscriptions": [SUB_A],
            "query": "resources | project id",
            "options": {
                "$skipToken": first["$skipToken"],
                "$top": 1000,
                "resultFormat": "objectArray",
                "allowPartialScopes": False,
            },
        },
        {
            "subscriptions": [SUB_A],
            "query": "resources | project id",
            "options": {
                "$skipToken": second["$skipToken"],
                "$top": 1000,
                "resultFormat": "objectArray",
                "allowPartialScopes": False,
            },
        },
    ]
    assert credential.scopes[0] == ("https://management.azure.com/.default",)
    assert clock.sleeps == []


def test_minimum_requests_three_per_type_per_batch_and_no_per_resource_call(
    mocked, estate, clock, credential
):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 2500))
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 2500))
    estate.add(synthetic_rows(MANAGED_CLUSTERS, SUB_A, 3))

    snapshot = run(clock, credential, subscriptions=(SUB_A, SUB_B), batch_size=1)

    nat_queries = estate.queries_for(NAT_QUERY)
    for subscription in (SUB_A, SUB_B):  # each query's pages in order; queries interleave
        asked = [q["options"] for q in nat_queries if q["subscriptions"] == [subscription]]
        assert [o.get("$skipToken") for o in asked] == [None, "offset:1000", "offset:2000"]
    assert len(nat_queries) == 6
    # One access check, then per batch: 3 NAT pages + one page of every other type + change
    # history.
    others = len(RESOURCE_TYPES) - 1
    assert len(mocked.calls) == 1 + 2 * (3 + others + 1)
    only_resource_graph_posts(mocked)
    # Every row exactly once: no page fetched twice, none skipped.
    assert sorted(r["id"] for r in snapshot.rows(NAT_GATEWAYS)) == sorted(
        r["id"] for r in estate.resources if r["type"] == NAT_GATEWAYS
    )
    assert len(snapshot.rows(NAT_GATEWAYS)) == 5000
    assert len(snapshot.rows(MANAGED_CLUSTERS)) == 3
    assert snapshot.errors == ()
    assert clock.sleeps == []


def test_every_type_is_one_raw_query_without_joins(mocked, estate, clock, credential):
    estate.subscriptions(SUB_A)
    run(clock, credential, subscriptions=(SUB_A,), changes_days=0)
    type_queries = [b["query"] for b in estate.bodies[1:]]
    assert sorted(type_queries) == sorted(resources_query(t) for t in RESOURCE_TYPES)
    for query in type_queries:
        assert "mv-expand" not in query
        assert "join" not in query
        assert f"| project {', '.join(RESOURCE_COLUMNS)}" in query
        assert query.endswith("| order by id asc")


# -- throttling and faults --------------------------------------------------------------------


class FailFirst:
    """The first `count` NAT gateway queries get `reply`; later ones are answered."""

    def __init__(self, count: int, reply: Reply) -> None:
        self.left = count
        self.reply = reply

    def __call__(self, number: int, body: dict[str, Any]) -> Reply | None:
        if NAT_QUERY not in body["query"] or self.left == 0:
            return None
        self.left -= 1
        return self.reply


@pytest.fixture
def one_nat_gateway(estate: ResourceGraphEstate) -> None:
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))


@pytest.mark.usefixtures("one_nat_gateway")
def test_429_with_retry_after_waits_that_long_then_succeeds(mocked, estate, clock, credential):
    estate.faults.append(FailFirst(1, rate_limited({"Retry-After": "7"})))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    assert clock.sleeps == [7.0]
    assert len(estate.queries_for(NAT_QUERY)) == 2
    assert len(snapshot.rows(NAT_GATEWAYS)) == 1
    assert snapshot.errors == ()


@pytest.mark.usefixtures("one_nat_gateway")
def test_429_with_only_quota_reset_header_waits_hh_mm_ss(mocked, estate, clock, credential):
    throttled = rate_limited(
        {"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:01:03"}
    )
    estate.faults.append(FailFirst(1, throttled))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    assert clock.sleeps == [63.0]
    assert len(snapshot.rows(NAT_GATEWAYS)) == 1
    assert snapshot.errors == ()


@pytest.mark.usefixtures("one_nat_gateway")
def test_429_without_any_hint_backs_off_exponentially(mocked, estate, clock, credential):
    estate.faults.append(FailFirst(2, rate_limited({})))
    run(clock, credential, subscriptions=(SUB_A,))
    # base 2 s doubling, equal jitter with random() = 0.5: 1 + 0.5, then 2 + 1.
    assert clock.sleeps == [1.5, 3.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.usefixtures("one_nat_gateway")
def test_5xx_is_retried_then_succeeds(mocked, estate, clock, credential, status):
    estate.faults.append(FailFirst(1, server_error(status)))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    assert clock.sleeps == [1.5]
    assert len(estate.queries_for(NAT_QUERY)) == 2
    assert len(snapshot.rows(NAT_GATEWAYS)) == 1
    assert snapshot.errors == ()


@pytest.mark.usefixtures("one_nat_gateway")
def test_503_with_retry_after_honours_it(mocked, estate, clock, credential):
    reply = server_error(503)
    reply.headers["Retry-After"] = "11"
    estate.faults.append(FailFirst(1, reply))
    run(clock, credential, subscriptions=(SUB_A,))
    assert clock.sleeps == [11.0]


def test_exhausted_quota_holds_the_next_request(mocked, estate, clock, credential):
    estate.add(synthetic_rows(MANAGED_CLUSTERS, SUB_A, 1))
    estate.quota_headers = {
        "x-ms-user-quota-remaining": "0",
        "x-ms-user-quota-resets-after": "00:00:04",
    }
    run(clock, credential, subscriptions=(SUB_A,), changes_days=0, concurrency=1)
    # Every response says the quota is used up: each following request waits 4 s first.
    assert clock.sleeps == [4.0] * (len(mocked.calls) - 1)


def test_a_batch_that_keeps_failing_is_recorded_and_the_rest_collected(
    mocked, estate, clock, credential
):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 2))
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 2))
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_C, 2))

    def sub_b_is_down(number: int, body: dict[str, Any]) -> Reply | None:
        return server_error(500) if body.get("subscriptions") == [SUB_B] else None

    estate.faults.append(sub_b_is_down)
    snapshot = run(
        clock, credential, subscriptions=(SUB_A, SUB_B, SUB_C), batch_size=1, concurrency=1
    )

    assert sorted({r["subscriptionId"] for r in snapshot.rows(NAT_GATEWAYS)}) == [SUB_A, SUB_C]
    assert len(snapshot.errors) == 1
    error = snapshot.errors[0]
    assert (error.scope, error.status, error.subscriptions) == (
        "subscriptions batch 2/3",
        500,
        (SUB_B,),
    )
    assert error.message == (
        "every resource type: HTTP 500 InternalServerError: The service is unavailable. "
        "(gave up after 5 attempts)"
    )
    # Bounded: 5 attempts and 4 jittered waits per query (the check of access included).
    queries = 1 + len(RESOURCE_TYPES)
    assert sum(1 for b in estate.bodies if b.get("subscriptions") == [SUB_B]) == queries * 5
    assert clock.sleeps == [1.5, 3.0, 6.0, 12.0] * queries
    assert snapshot.warnings == (
        "subscriptions batch 2/3: change history not read (HTTP 500 InternalServerError: The "
        "service is unavailable. (gave up after 5 attempts)); drift is reported without who "
        "made the change",
    )
    assert snapshot.to_document()["errors"] == [
        {
            "scope": "subscriptions batch 2/3",
            "status": 500,
            "message": error.message,
            "subscriptions": [SUB_B],
        }
    ]


def test_a_wait_longer_than_the_limit_is_not_attempted(mocked, estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 1))

    def throttle_b(number: int, body: dict[str, Any]) -> Reply | None:
        if body.get("subscriptions") == [SUB_B] and "resources\n" in body["query"]:
            return rate_limited({"Retry-After": "3600"})
        return None

    estate.faults.append(throttle_b)
    snapshot = run(clock, credential, subscriptions=(SUB_A, SUB_B), batch_size=1)
    assert clock.sleeps == []
    assert [(e.status, e.subscriptions) for e in snapshot.errors] == [(429, (SUB_B,))]
    assert snapshot.errors[0].message.endswith(
        "(asked to wait 3,600 s, longer than the 300 s egress-audit waits at once)"
    )


def test_connection_failures_are_retried_then_recorded(mocked, estate, clock, credential):
    import requests

    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 1))

    def unreachable(number: int, body: dict[str, Any]) -> Reply | None:
        if body.get("subscriptions") == [SUB_B] and "resources\n" in body["query"]:
            raise requests.ConnectionError("connection reset by peer")
        return None

    estate.faults.append(unreachable)
    snapshot = run(
        clock, credential, subscriptions=(SUB_A, SUB_B), batch_size=1, changes_days=0, concurrency=1
    )
    assert [(e.status, e.subscriptions) for e in snapshot.errors] == [(None, (SUB_B,))]
    assert "cannot reach https://management.azure.com" in snapshot.errors[0].message
    assert len(clock.sleeps) == len(RESOURCE_TYPES) * (RetrySettings().max_attempts - 1)


def test_result_truncated_true_is_recorded_never_ignored(mocked, estate, clock, credential):
    estate.add(synthetic_rows(VIRTUAL_NETWORKS, SUB_A, 5))
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.truncate_types.add(VIRTUAL_NETWORKS)

    snapshot = run(clock, credential, subscriptions=(SUB_A,))

    assert len(snapshot.rows(VIRTUAL_NETWORKS)) == 2  # what arrived is kept
    assert len(snapshot.rows(NAT_GATEWAYS)) == 1  # and the batch goes on
    assert [(e.scope, e.status, e.subscriptions) for e in snapshot.errors] == [
        ("subscriptions batch 1/1", None, (SUB_A,))
    ]
    assert snapshot.errors[0].message == (
        f"{VIRTUAL_NETWORKS}: Resource Graph truncated the result (resultTruncated is "
        '"true"): received 2 of 5 rows; these rows are incomplete'
    )


def test_rows_with_mixed_key_casing_pass_through_untouched(mocked, estate, clock, credential):
    cluster = arg_row(example_body("ManagedClustersGet"), SUB_A, "RG1")
    profiles = cluster["properties"]["agentPoolProfiles"]
    profiles[0]["vnetSubnetID"] = (
        f"/subscriptions/{SUB_A}/resourcegroups/rg1/providers/Microsoft.Network/"
        "virtualNetworks/vnet/subnets/nodes"
    )
    profiles[0]["vnetSubnetId"] = "az-cli spelling, kept as sent"
    profiles[0]["podSubnetID"] = None
    nat = arg_row(example_body("NatGatewayGet"), SUB_A, "rg1")
    nat["properties"]["publicIPAddresses"] = [{"Id": "/SUBSCRIPTIONS/X/upper"}]
    nat["zones"] = None
    nat["tags"] = {"Owner": "net", "owner": "dup"}
    estate.add([cluster, nat])
    sent = json.loads(json.dumps([cluster, nat]))

    snapshot = run(clock, credential, subscriptions=(SUB_A,))

    assert snapshot.rows(MANAGED_CLUSTERS) == [sent[0]]
    assert snapshot.rows(NAT_GATEWAYS) == [sent[1]]
    for got, want in zip(
        [snapshot.rows(MANAGED_CLUSTERS)[0], snapshot.rows(NAT_GATEWAYS)[0]], sent, strict=True
    ):
        assert json.dumps(got) == json.dumps(want)  # same keys, same order, same values


# -- authentication and access ----------------------------------------------------------------


def test_a_credential_that_cannot_sign_in_fails_the_collection(mocked, estate, clock):
    from azure.identity import CredentialUnavailableError

    credential = FakeCredential(CredentialUnavailableError("Please run 'az login'"))
    with pytest.raises(CollectionFailed) as failure:
        run(clock, credential, subscriptions=(SUB_A,))
    message = str(failure.value)
    assert failure.value.exit_code == ExitCode.COLLECTION_FAILED
    assert "\n" not in message
    assert "az login" in message
    assert "AZURE_TOKEN_CREDENTIALS" in message
    assert "Reader" in message
    assert len(mocked.calls) == 0


def test_401_everywhere_fails_the_collection(mocked, estate, clock, credential):
    estate.faults.append(
        lambda n, b: Reply(
            401,
            {"error": {"code": "InvalidAuthenticationToken", "message": "The token is invalid."}},
        )
    )
    with pytest.raises(CollectionFailed, match=r"HTTP 401 InvalidAuthenticationToken.*az login"):
        run(clock, credential, subscriptions=(SUB_A,))
    # Not retried: the access check, then each query of the one batch once.
    assert len(mocked.calls) == 1 + len(RESOURCE_TYPES) + 1


def test_no_access_anywhere_fails_with_what_to_do(mocked, estate, clock, credential):
    estate.faults.append(
        lambda n, b: Reply(
            403, {"error": {"code": "AuthorizationFailed", "message": "No read access."}}
        )
    )
    with pytest.raises(CollectionFailed) as failure:
        run(clock, credential, subscriptions=(SUB_A, SUB_B), batch_size=1)
    message = str(failure.value)
    assert "nothing could be collected" in message
    assert "HTTP 403 AuthorizationFailed" in message
    assert "Reader" in message
    assert clock.sleeps == []  # 403 is not retried


def test_management_group_that_cannot_be_listed_fails_with_the_reason(
    mocked, estate, clock, credential
):
    estate.faults.append(
        lambda n, b: Reply(
            404, {"error": {"code": "ManagementGroupNotFound", "message": "No such group."}}
        )
    )
    with pytest.raises(CollectionFailed) as failure:
        run(clock, credential, management_groups=("nope",))
    assert str(failure.value).startswith(
        "this identity can read none of the subscriptions in scope (management group nope: "
        "cannot list its subscriptions: HTTP 404 ManagementGroupNotFound: No such group.) — "
        "sign in with `az login`"
    )


def test_tenant_with_no_readable_subscription_fails(mocked, estate, clock, credential):
    with pytest.raises(CollectionFailed, match=r"can read none of the subscriptions.*Reader"):
        run(clock, credential)


def test_unreadable_requested_subscription_is_reported_not_audited_as_empty(
    mocked, estate, clock, credential
):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    snapshot = run(clock, credential, subscriptions=(SUB_A, SUB_C))
    assert snapshot.errors == (
        CollectionError(
            "subscription access",
            None,
            "not found, or not readable by this identity (it needs the Reader role)",
            (SUB_C,),
        ),
    )
    assert snapshot.scope["subscriptions"] == [SUB_A]
    assert all(b["subscriptions"] == [SUB_A] for b in estate.bodies[1:])


# -- scope ----------------------------------------------------------------------------------


def test_tenant_scope_lists_subscriptions_then_batches_them(mocked, estate, clock, credential):
    subscriptions = [f"{i:08d}-0000-0000-0000-000000000000" for i in range(5)]
    for subscription in subscriptions:
        estate.add(synthetic_rows(NAT_GATEWAYS, subscription, 1))

    snapshot = run(clock, credential, batch_size=2, changes_days=0)

    listing = estate.bodies[0]
    assert listing == {
        "query": listing["query"],
        "options": {"$top": 1000, "resultFormat": "objectArray", "allowPartialScopes": True},
    }
    assert listing["query"].startswith("resourcecontainers\n")
    nat = estate.queries_for(NAT_QUERY)
    assert sorted(q["subscriptions"] for q in nat) == [
        subscriptions[0:2],
        subscriptions[2:4],
        subscriptions[4:5],
    ]
    assert len(snapshot.rows(NAT_GATEWAYS)) == 5
    assert snapshot.scope == {
        "tenant": True,
        "requestedSubscriptions": [],
        "managementGroups": [],
        "subscriptions": subscriptions,
        "cloud": "AzureCloud",
        "armEndpoint": ARM,
        "batchSize": 2,
        "batches": 3,
        "changesDays": 0,
    }


def test_tenant_subscription_limit_is_recorded(mocked, estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    estate.faults.append(
        lambda n, b: (
            Reply(
                200,
                {
                    "totalRecords": 1,
                    "count": 1,
                    "data": [{"id": f"/subscriptions/{SUB_A}", "subscriptionId": SUB_A}],
                    "facets": [],
                    "resultTruncated": "false",
                },
                {"x-ms-tenant-subscription-limit-hit": "true"},
            )
            if n == 1
            else None
        )
    )
    snapshot = run(clock, credential)
    assert [e.scope for e in snapshot.errors] == ["tenant"]
    assert "10,000" in snapshot.errors[0].message
    assert len(snapshot.rows(NAT_GATEWAYS)) == 1


def test_management_groups_are_resolved_to_subscriptions(mocked, estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    snapshot = run(clock, credential, management_groups=("platform",), changes_days=0)
    assert estate.bodies[0]["managementGroups"] == ["platform"]
    assert "subscriptions" not in estate.bodies[0]
    assert estate.bodies[0]["options"]["allowPartialScopes"] is True
    assert estate.bodies[1]["subscriptions"] == [SUB_A]
    assert snapshot.scope["managementGroups"] == ["platform"]
    assert snapshot.scope["tenant"] is False


def test_change_history_lands_in_snapshot_changes(mocked, estate, clock, credential):
    estate.subscriptions(SUB_A)
    target = f"/subscriptions/{SUB_A}/resourceGroups/rg/providers/microsoft.network/natgateways/ng"
    change = {
        "id": f"{target}/providers/Microsoft.Resources/changes/abc",
        "name": "abc",
        "type": "microsoft.resources/changes",
        "tenantId": TENANT,
        "subscriptionId": SUB_A,
        "resourceGroup": "rg",
        "properties": {
            "targetResourceId": target,
            "targetResourceType": NAT_GATEWAYS,
            "changeType": "Update",
            "changeAttributes": {
                "timestamp": "2026-02-27T09:00:00Z",
                "changedBy": "alice@example.com",
                "changedByType": "User",
                "clientType": "Azure Portal",
                "operation": "Microsoft.Network/natGateways/write",
            },
            "changes": {
                "properties.idleTimeoutInMinutes": {"previousValue": "4", "newValue": "10"}
            },
        },
    }
    estate.changes.append(change)
    snapshot = run(clock, credential, subscriptions=(SUB_A,), changes_days=3)
    assert snapshot.changes == [change]
    [query] = estate.queries_for("resourcechanges")
    assert "| where changeTime > ago(3d)" in query["query"]
    for resource_type in RESOURCE_TYPES:
        assert f"'{resource_type}'" in query["query"]


def test_snapshot_document_round_trips(mocked, estate, clock, credential, tmp_path):
    from auditor import snapshot as snapshot_module

    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 3))
    snapshot = run(clock, credential, subscriptions=(SUB_A,))
    assert snapshot.collected_at == "2026-03-01T12:00:00Z"
    assert snapshot.tool["name"] == "egress-audit"
    path = tmp_path / "snap.json"
    snapshot_module.write(snapshot, path)
    loaded = snapshot_module.load(path)
    assert loaded.to_document() == snapshot.to_document()


# -- clouds ---------------------------------------------------------------------------------


def test_custom_arm_endpoint_sets_base_url_and_token_scope(estate, clock, credential):
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_A, 1))
    cloud = clouds.resolve(None, "https://arm.example.test:8443/")
    with responses.RequestsMock() as mock:
        mock.add_callback(
            responses.POST,
            "https://arm.example.test:8443/providers/Microsoft.ResourceGraph/resources",
            callback=estate.callback,
        )
        snapshot = run(clock, credential, cloud=cloud, subscriptions=(SUB_A,))
    assert credential.scopes[0] == ("https://arm.example.test:8443/.default",)
    assert snapshot.scope["armEndpoint"] == "https://arm.example.test:8443"
    assert len(snapshot.rows(NAT_GATEWAYS)) == 1


@pytest.mark.parametrize(
    ("name", "url", "scope"),
    [
        ("AzureChinaCloud", "https://management.chinacloudapi.cn", "chinacloudapi.cn"),
        ("AzureUSGovernment", "https://management.usgovcloudapi.net", "core.usgovcloudapi.net"),
    ],
)
def test_sovereign_clouds_reach_their_own_endpoint(estate, clock, credential, name, url, scope):
    estate.subscriptions(SUB_A)
    with responses.RequestsMock() as mock:
        mock.add_callback(
            responses.POST,
            f"{url}/providers/Microsoft.ResourceGraph/resources",
            callback=estate.callback,
        )
        run(clock, credential, cloud=clouds.resolve(name, None), subscriptions=(SUB_A,))
    assert credential.scopes[0] == (f"https://management.{scope}/.default",)


# -- read-only ------------------------------------------------------------------------------


def test_anything_but_the_query_post_is_refused_before_it_is_sent(clock, credential):
    from azure.core.rest import HttpRequest

    from auditor.collect.client import ReadOnlyViolation

    graph = make_graph_client(credential, PUBLIC, clock=clock)
    with responses.RequestsMock() as mock:
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            request = HttpRequest(method, f"{ARM}/subscriptions/{SUB_A}?api-version=2022-12-01")
            with pytest.raises(ReadOnlyViolation, match=f"refusing {method}"):
                graph._sdk._send_request(request)
        with pytest.raises(ReadOnlyViolation, match="refusing POST"):
            graph._sdk._send_request(
                HttpRequest("POST", f"{ARM}/subscriptions/{SUB_A}/providers/X/register")
            )
        assert len(mock.calls) == 0


def test_query_failed_carries_status_and_attempts(mocked, estate, clock, credential):
    estate.faults.append(lambda n, b: Reply(400, {"error": {"code": "BadRequest", "message": "x"}}))
    graph = make_graph_client(credential, PUBLIC, clock=clock)
    with pytest.raises(QueryFailed) as failure:
        graph.page("resources", Scope((SUB_A,)), None)
    assert (failure.value.status, failure.value.attempts) == (400, 1)
    assert failure.value.message == "HTTP 400 BadRequest: x"


@pytest.mark.usefixtures("one_nat_gateway")
def test_change_history_that_keeps_failing_is_a_warning_not_a_gap(
    mocked, estate, clock, credential
):
    def history_down(number: int, body: dict[str, Any]) -> Reply | None:
        return server_error(503) if body["query"].startswith("resourcechanges") else None

    estate.faults.append(history_down)
    snapshot = run(clock, credential, subscriptions=(SUB_A,), changes_days=3)
    # The estate was read whole: no collection error, so no partial audit and no lost alerts.
    assert snapshot.errors == ()
    assert [r["id"] for r in snapshot.rows(NAT_GATEWAYS)] == [
        r["id"] for r in estate.resources if r["type"] == NAT_GATEWAYS
    ]
    assert snapshot.warnings == (
        "subscriptions batch 1/1: change history not read (HTTP 503 ServiceUnavailable: The "
        "service is unavailable. (gave up after 5 attempts)); drift is reported without who "
        "made the change",
    )
