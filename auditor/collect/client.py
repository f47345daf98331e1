"""One Resource Graph request at a time, with throttling and retries under our control.

`GraphClient.page` sends one `ResourceGraphClient.resources(QueryRequest(...))` call (one
page) and retries 429/5xx/connection failures itself: the SDK client is built with
`retry_total=0`, so azure-core never sleeps on its own, and every wait goes through the
injected clock. A request hook refuses anything but the Resource Graph query POST, so the
collector stays read-only whatever a pipeline policy might try.

The Azure SDK is imported inside functions only.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from auditor.collect.clock import Clock
from auditor.collect.clouds import Cloud
from auditor.collect.credentials import authentication_failed, one_line
from auditor.collect.retry import (
    RetrySettings,
    backoff,
    is_retryable,
    quota_wait,
    server_delay,
)

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.core.pipeline import PipelineRequest
    from azure.mgmt.resourcegraph import ResourceGraphClient
    from azure.mgmt.resourcegraph.models import QueryRequest

PAGE_SIZE = 1000  # Resource Graph's maximum `$top`
MAX_SUBSCRIPTIONS_PER_REQUEST = 1000
QUERY_PATH = "/providers/microsoft.resourcegraph/resources"
TENANT_LIMIT_HIT = "x-ms-tenant-subscription-limit-hit"

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a query runs: a list of subscriptions, management groups, or (neither) the tenant."""

    subscriptions: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return bool(self.subscriptions)


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    total_records: int | None
    truncated: bool  # resultTruncated == "true" (a string on the wire)
    skip_token: str | None
    headers: Mapping[str, str]  # lower-case names


class QueryFailed(Exception):
    """A request that still failed after the retries it deserved."""

    def __init__(self, status: int | None, message: str, attempts: int) -> None:
        self.status = status
        self.message = message
        self.attempts = attempts
        super().__init__(message)


class ReadOnlyViolation(RuntimeError):
    """Something tried to send a request other than the Resource Graph query."""


class PageSource(Protocol):
    def page(self, query: str, scope: Scope, skip_token: str | None) -> Page: ...


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def refuse_writes(request: PipelineRequest[Any]) -> None:
    """`raw_request_hook`: only `POST …/providers/Microsoft.ResourceGraph/resources` may leave."""
    http_request = request.http_request
    path = urlsplit(http_request.url).path.rstrip("/").lower()
    if http_request.method.upper() != "POST" or not path.endswith(QUERY_PATH):
        raise ReadOnlyViolation(
            f"refusing {http_request.method} {http_request.url}: egress-audit only sends "
            "Resource Graph queries"
        )


class GraphClient:
    """Pages of Resource Graph results, with bounded, jittered, server-honouring retries."""

    def __init__(
        self,
        sdk_client: ResourceGraphClient,
        *,
        endpoint: str,
        clock: Clock,
        retry: RetrySettings | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self._sdk = sdk_client
        self._endpoint = endpoint
        self._clock = clock
        self._retry = retry or RetrySettings()
        self._random = random or _random.SystemRandom().random
        self._not_before = 0.0
        self.requests = 0
        self.on_wait: Callable[[float, str], None] = lambda seconds, why: None

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._sdk.close()

    def page(self, query: str, scope: Scope, skip_token: str | None) -> Page:
        from azure.core.exceptions import (
            AzureError,
            ClientAuthenticationError,
            DeserializationError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )

        request = _query_request(query, scope, skip_token)
        captured: list[dict[str, str]] = []

        def keep_headers(pipeline_response: Any, deserialized: Any, _headers: Any) -> Any:
            captured.append(_lower(pipeline_response.http_response.headers))
            return deserialized

        attempt = 0
        while True:
            attempt += 1
            self._hold_for_quota()
            captured.clear()
            self.requests += 1
            try:
                response = self._sdk.resources(request, cls=keep_headers)
            except ClientAuthenticationError as exc:
                # The credential could not get a token, or ARM said 401.
                detail = _describe(exc) if exc.status_code is not None else exc.message
                raise authentication_failed(detail) from None
            except HttpResponseError as exc:
                status: int | None = exc.status_code
                message = _describe(exc)
                headers = _lower(getattr(exc.response, "headers", None) or {})
            except (ServiceRequestError, ServiceResponseError) as exc:
                status, headers = None, {}
                message = f"cannot reach {self._endpoint}: {one_line(str(exc))}"
            except (AzureError, DeserializationError) as exc:  # an undecodable body and the like
                raise QueryFailed(
                    None, f"unreadable Resource Graph response: {one_line(str(exc))}", attempt
                ) from None
            else:
                headers = captured[-1] if captured else {}
                self._note_quota(headers)
                return _page(response, headers)
            if not is_retryable(status) or attempt >= self._retry.max_attempts:
                if attempt > 1:
                    message += f" (gave up after {attempt} attempts)"
                raise QueryFailed(status, message, attempt)
            delay = server_delay(headers, self._clock.now())
            if delay is None:
                delay = backoff(attempt, self._retry, self._random)
            elif delay > self._retry.max_server_delay:
                raise QueryFailed(
                    status,
                    f"{message} (the service asked to wait {delay:.0f} s, longer than the "
                    f"{self._retry.max_server_delay:.0f} s egress-audit waits)",
                    attempt,
                )
            self.on_wait(delay, "throttled" if status == 429 else f"retrying ({message})")
            self._clock.sleep(delay)

    def _note_quota(self, headers: Mapping[str, str]) -> None:
        wait = quota_wait(headers)
        if wait is not None:
            self._not_before = max(self._not_before, self._clock.monotonic() + wait)

    def _hold_for_quota(self) -> None:
        wait = self._not_before - self._clock.monotonic()
        if wait > 0:
            self.on_wait(wait, "query quota used up")
            self._clock.sleep(wait)


def _query_request(query: str, scope: Scope, skip_token: str | None) -> QueryRequest:
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    options = QueryRequestOptions(
        top=PAGE_SIZE,
        skip_token=skip_token,
        # Only meaningful at tenant / management-group scope: answer for the first 10,000
        # subscriptions instead of failing (the response then says the limit was hit).
        allow_partial_scopes=not scope.is_list,
    )
    return QueryRequest(
        query=query,
        subscriptions=list(scope.subscriptions) or None,
        management_groups=list(scope.management_groups) or None,
        options=options,
    )


def _page(response: Any, headers: Mapping[str, str]) -> Page:
    data = response.data
    if data is None:
        data = []
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise QueryFailed(200, "unexpected Resource Graph response: data is not a list of rows", 1)
    truncated = response.result_truncated
    total = response.total_records
    return Page(
        rows=data,
        total_records=total if isinstance(total, int) else None,
        truncated=str(getattr(truncated, "value", truncated)).lower() == "true",
        skip_token=response.skip_token or None,
        headers=headers,
    )


def _describe(exc: Any) -> str:
    """`HTTP 429 RateLimiting: message` from an azure-core HttpResponseError."""
    status = getattr(exc, "status_code", None)
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    text = getattr(error, "message", None) or getattr(exc, "reason", None) or str(exc)
    prefix = f"HTTP {status}" if status is not None else "error"
    if code:
        prefix += f" {code}"
    return f"{prefix}: {one_line(str(text))}"


def make_graph_client(
    credential: TokenCredential,
    cloud: Cloud,
    *,
    clock: Clock,
    retry: RetrySettings | None = None,
    random: Callable[[], float] | None = None,
    **client_kwargs: Any,
) -> GraphClient:
    """A GraphClient over the real SDK client for `cloud` (extra kwargs go to the SDK)."""
    from azure.mgmt.resourcegraph import ResourceGraphClient

    sdk_client = ResourceGraphClient(
        credential,
        base_url=cloud.arm_endpoint,
        credential_scopes=[cloud.token_scope],
        retry_total=0,  # every retry and every wait is ours (retry.py), through `clock`
        raw_request_hook=refuse_writes,
        connection_timeout=30,
        read_timeout=180,
        **client_kwargs,
    )
    return GraphClient(
        sdk_client, endpoint=cloud.arm_endpoint, clock=clock, retry=retry, random=random
    )
