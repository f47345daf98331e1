"""One Resource Graph page per call, with throttling, retries and waits under our control.

`GraphClient.page` sends one Resource Graph query request (one page) through the
`ResourceGraphClient` pipeline and retries 429/5xx/connection failures itself: the pipeline
is built here with no azure-core retries, redirects off and no resource-provider
auto-registration, so azure-core never sleeps, follows a `Location` or POSTs `…/register` on
its own. The body is read as JSON once, here, and checked by `protocol`. A request hook refuses
anything but the Resource Graph query POST, so the collector stays read-only whatever a
pipeline policy might try. Every wait goes through the shared budget (`waits`) and quota
gate (`quota`), so one client serves several threads.

Whatever goes wrong in a call ends as QueryFailed (the scope is recorded as not read) or,
when no token can be had at all, SignInFailed; never as another exception.

The Azure SDK is imported inside functions only.
"""

from __future__ import annotations

import json
import random as _random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from auditor.collect.clock import Clock
from auditor.collect.clouds import Cloud
from auditor.collect.credentials import authentication_failed, one_line
from auditor.collect.protocol import Page, ProtocolError, parse_page
from auditor.collect.quota import QuotaGate
from auditor.collect.retry import RetrySettings, backoff, is_retryable, server_delay
from auditor.collect.waits import WaitBudget, WaitRefused

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.core.pipeline import PipelineRequest
    from azure.mgmt.resourcegraph import ResourceGraphClient

PAGE_SIZE = 1000  # Resource Graph's maximum `$top`
QUERY_PATH = "/providers/microsoft.resourcegraph/resources"
QUERY_ENDPOINT = "/providers/Microsoft.ResourceGraph/resources"
API_VERSION = "2021-03-01"  # the one azure-mgmt-resourcegraph 8.0.1 speaks
TENANT_LIMIT_HIT = "x-ms-tenant-subscription-limit-hit"
UNREACHABLE = "cannot reach"  # how a connection failure's message starts


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a query runs: a list of subscriptions, management groups, or (neither) the tenant."""

    subscriptions: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return bool(self.subscriptions)


class QueryFailed(Exception):
    """A request that still failed after the retries it deserved, or a page that lied."""

    def __init__(self, status: int | None, message: str, attempts: int) -> None:
        self.status = status
        self.message = message
        self.attempts = attempts
        super().__init__(message)


class SignInFailed(QueryFailed):
    """No token could be had: every query would fail the same way."""


class ReadOnlyViolation(RuntimeError):
    """Something tried to send a request other than the Resource Graph query."""


class PageSource(Protocol):
    def page(self, query: str, scope: Scope, skip_token: str | None) -> Page: ...


class _Answer(Exception):
    """One attempt that did not give a page: status, message and headers decide a retry."""

    def __init__(self, status: int | None, message: str, headers: Mapping[str, str]) -> None:
        self.status = status
        self.message = message
        self.headers = headers
        super().__init__(message)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def refuse_writes(request: PipelineRequest[Any]) -> None:
    """`raw_request_hook`: only `POST …/providers/Microsoft.ResourceGraph/resources` may leave."""
    http_request = request.http_request
    path = urlsplit(http_request.url).path.rstrip("/").lower()
    if http_request.method.upper() != "POST" or not path.endswith(QUERY_PATH):
        raise ReadOnlyViolation(
            f"refusing {one_line(http_request.method, 10)} {one_line(http_request.url, 200)}: "
            "egress-audit only sends Resource Graph queries"
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
        self.waits = WaitBudget(
            clock, max_single=self._retry.max_server_delay, max_total=self._retry.max_total_wait
        )
        self.quota = QuotaGate(clock)
        self._lock = threading.Lock()
        self._requests = 0

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def on_wait(self) -> Callable[[float, str], None]:
        return self.waits.announce

    @on_wait.setter
    def on_wait(self, announce: Callable[[float, str], None]) -> None:
        self.waits.announce = announce

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
        try:
            return self._page(_query_body(query, scope, skip_token))
        except QueryFailed:
            raise
        except Exception as exc:  # anything the SDK raises is a gap, not a crash
            raise QueryFailed(
                None, f"unexpected error: {type(exc).__name__}: {one_line(str(exc))}", 1
            ) from None

    def _page(self, request: dict[str, Any]) -> Page:
        attempt = 0
        while True:
            attempt += 1
            self._wait_for_quota(attempt)
            try:
                body, headers = self._send(request)
            except _Answer as answer:
                status, message, headers = answer.status, answer.message, dict(answer.headers)
            else:
                try:
                    return parse_page(body, headers)
                except ProtocolError as exc:
                    raise QueryFailed(
                        None, f"invalid Resource Graph page: {exc}", attempt
                    ) from None
            if not is_retryable(status) or attempt >= self._retry.max_attempts:
                if attempt > 1:
                    message += f" (gave up after {attempt} attempts)"
                raise QueryFailed(status, message, attempt)
            delay = server_delay(headers, self._clock.now())
            hold = status == 429 and delay is not None
            if delay is None:
                delay = backoff(attempt, self._retry, self._random)
            why = "throttled (HTTP 429)" if status == 429 else f"retrying after {message}"
            try:
                # The quota is per user: when the service names a wait, every thread pauses.
                self.waits.wait(delay, why, partial(self.quota.hold, delay) if hold else _nothing)
            except WaitRefused as refused:
                raise QueryFailed(status, f"{message} ({refused})", attempt) from None

    def _wait_for_quota(self, attempt: int) -> None:
        while True:
            delay, why = self.quota.try_acquire()
            if delay <= 0:
                return
            try:
                self.waits.wait(delay, why)
            except WaitRefused as refused:
                raise QueryFailed(None, f"{why}: {refused}", attempt) from None

    def _send(self, body: dict[str, Any]) -> tuple[Any, dict[str, str]]:
        """One attempt: the parsed JSON body of a 2xx and its headers, or _Answer. The quota
        gate was entered by the caller and is left here, whatever happens."""
        from azure.core.exceptions import (
            ClientAuthenticationError,
            ServiceRequestError,
            ServiceResponseError,
        )
        from azure.core.rest import HttpRequest

        request = HttpRequest(
            "POST",
            QUERY_ENDPOINT,
            params={"api-version": API_VERSION},
            headers={"Accept": "application/json"},
            json=body,
        )
        headers: dict[str, str] = {}
        with self._lock:
            self._requests += 1
        try:
            # The pipeline of `pipeline_policies`, without the SDK's model round trip (which
            # coerces `8.5` to 8 and costs more than the request's own JSON).
            response = self._sdk._send_request(request)
            headers = _lower(response.headers)
            status, reason, content = response.status_code, response.reason, response.content
        except ClientAuthenticationError as exc:  # the credential could not get a token
            raise SignInFailed(None, str(authentication_failed(exc.message)), 1) from None
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise _Answer(
                None, f"{UNREACHABLE} {self._endpoint}: {one_line(str(exc))}", headers
            ) from None
        except ReadOnlyViolation as exc:
            raise QueryFailed(None, str(exc), 1) from None
        finally:
            self.quota.release(headers)
        try:
            parsed = json.loads(content) if content else None
        except ValueError:  # also a number past the digit limit, or bytes that are no text
            if 200 <= status < 300:
                raise QueryFailed(
                    None, f"HTTP {status} answer whose body is not valid JSON", 1
                ) from None
            parsed = None
        if 200 <= status < 300:
            return parsed, headers
        raise _Answer(status, _describe(status, reason, parsed, headers), headers)


def _nothing() -> None:
    pass


def _query_body(query: str, scope: Scope, skip_token: str | None) -> dict[str, Any]:
    """The QueryRequest as the SDK model serializes it (azure-wire.md §1.2)."""
    options: dict[str, Any] = {"$top": PAGE_SIZE, "resultFormat": "objectArray"}
    if skip_token is not None:
        options = {"$skipToken": skip_token, **options}
    # Only meaningful at tenant / management-group scope: answer for the first 10,000
    # subscriptions instead of failing (the response then says the limit was hit).
    options["allowPartialScopes"] = not scope.is_list
    body: dict[str, Any] = {}
    if scope.subscriptions:
        body["subscriptions"] = list(scope.subscriptions)
    if scope.management_groups:
        body["managementGroups"] = list(scope.management_groups)
    return {**body, "query": query, "options": options}


def _describe(status: int, reason: str | None, body: Any, headers: Mapping[str, str]) -> str:
    """`HTTP 429 RateLimiting: message` from an ARM error answer."""
    prefix = f"HTTP {status}"
    if 300 <= status < 400:
        location = urlsplit(headers.get("location", "")).path
        to = f" to {one_line(location, 120)}" if location else ""
        return f"{prefix}: Resource Graph redirected the query{to}; egress-audit follows none"
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    text = error.get("message") if isinstance(error, dict) else None
    if code:
        prefix += f" {one_line(str(code), 80)}"
    return f"{prefix}: {one_line(str(text or reason or 'no message'))}"


def pipeline_policies(credential: TokenCredential, cloud: Cloud) -> list[Any]:
    """The policies `ResourceGraphClient` would build, less ARMAutoResourceProviderRegistration
    (on a 409 MissingSubscriptionRegistration it POSTs `…/register`, a write, and sleeps)
    and ContentDecodePolicy (the body is parsed once, in `_send`), with redirects off, no
    azure-core retries and the read-only hook."""
    from azure.core.pipeline import policies
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy
    from azure.mgmt.resourcegraph import __version__ as sdk_version

    return [
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.UserAgentPolicy(sdk_moniker=f"mgmt-resourcegraph/{sdk_version}"),
        policies.ProxyPolicy(),
        policies.RedirectPolicy(permit_redirects=False),
        policies.RetryPolicy(retry_total=0),  # every retry and every wait is ours
        ARMChallengeAuthenticationPolicy(credential, cloud.token_scope),
        policies.CustomHookPolicy(raw_request_hook=refuse_writes),
        policies.NetworkTraceLoggingPolicy(),
        policies.DistributedTracingPolicy(),
        policies.SensitiveHeaderCleanupPolicy(),
        ARMHttpLoggingPolicy(),
    ]


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
        policies=pipeline_policies(credential, cloud),
        connection_timeout=30,
        read_timeout=180,
        **client_kwargs,
    )
    return GraphClient(
        sdk_client, endpoint=cloud.arm_endpoint, clock=clock, retry=retry, random=random
    )
