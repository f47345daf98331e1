"""The fault-injecting mode of the Resource Graph fake: servers that lie, stall and refuse.

    estate.injections.append(inject("empty-follow-on-page", subscription=SUB_B))

Each fault applies to the requests it matches (a subscription in the request's scope, a
table, a resource type in the query; `times` limits how many matching requests get it) and
changes the answer the estate would have sent. The same estate serves the `responses`
tests and the loopback HTTPS server of the end-to-end tests.
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.collect.fakes import Reply, rate_limited

ERRORS = {
    401: (
        "InvalidAuthenticationTokenTenant",
        "The access token is from the wrong issuer. It must match the tenant associated with "
        "this subscription.",
    ),
    403: (
        "AuthorizationFailed",
        "The client does not have authorization to perform action "
        "'Microsoft.ResourceGraph/resources/read' over this scope.",
    ),
    409: (
        "MissingSubscriptionRegistration",
        "The subscription is not registered to use namespace 'Microsoft.ResourceGraph'. See "
        "https://aka.ms/rps-not-found for how to register subscriptions.",
    ),
}

KINDS = (
    "empty-follow-on-page",  # a page asked for with $skipToken: no rows, no token
    "empty-object",  # `{}` for a page asked for with $skipToken
    "count-mismatch",  # `count` one more than the rows in `data`
    "endless-tokens",  # every page names a new $skipToken, past the last row too
    "quota-exhausted",  # a 200 that says the quota is used up until `value` (hh:mm:ss)
    "retry-after",  # 429 with `Retry-After: value`
    "status",  # HTTP `value` with Azure's error body (401, 403 and 409 as Azure words them)
    "redirect",  # 307 to another path on the same host
    "invalid-json",  # 200 whose body is cut short
    "row-without-id",  # the first row of the page has no `id`
    "total-off",  # totalRecords off by `value`
    "truncated",  # resultTruncated "true" and no $skipToken
    "raw-body",  # 200 with `value` (bytes) as the body
    "duplicate-row",  # the page's second row repeats its first
)


def error_reply(status: int) -> Reply:
    code, message = ERRORS.get(status, ("ServerError", "The service is unavailable."))
    details = [{"code": code, "target": "Microsoft.ResourceGraph", "message": message}]
    return Reply(status, {"error": {"code": code, "message": message, "details": details}})


@dataclass
class Fault:
    kind: str
    subscription: str | None = None  # in the request's `subscriptions`
    table: str | None = "resources"  # first word of the query; None: any
    marker: str | None = None  # text in the query, e.g. "natgateways'"
    value: Any = None
    times: int | None = None  # matching requests that get it; None: all
    hits: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tokens: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")

    def matches(self, body: dict[str, Any]) -> bool:
        query = str(body.get("query", ""))
        if self.table is not None and query.split("\n", 1)[0].strip().lower() != self.table:
            return False
        if self.marker is not None and self.marker not in query:
            return False
        if self.subscription is not None and self.subscription not in body.get("subscriptions", []):
            return False
        follow_on = "$skipToken" in body.get("options", {})
        if self.kind in ("empty-follow-on-page", "empty-object") and not follow_on:
            return False
        with self._lock:
            if self.times is not None and self.hits >= self.times:
                return False
            self.hits += 1
        return True

    def apply(self, body: dict[str, Any], reply: Reply) -> Reply:
        if reply.status != 200 or not self.matches(body):
            return reply
        page = copy.deepcopy(reply.body)
        headers = dict(reply.headers)
        if self.kind == "empty-follow-on-page":
            return Reply(200, _page([], page["totalRecords"]), headers)
        if self.kind == "empty-object":
            return Reply(200, {}, headers)
        if self.kind == "count-mismatch":
            page["count"] += 1
        elif self.kind == "endless-tokens":
            start = int(body.get("options", {}).get("$skipToken", "offset:0").split(":")[1])
            following = start + max(1, len(page["data"]))
            page["$skipToken"] = f"offset:{following}:{next(self._tokens)}"
        elif self.kind == "quota-exhausted":
            headers["x-ms-user-quota-remaining"] = "0"
            headers["x-ms-user-quota-resets-after"] = str(self.value or "01:00:00")
        elif self.kind == "retry-after":
            return rate_limited({"Retry-After": str(self.value)})
        elif self.kind == "status":
            return error_reply(int(self.value))
        elif self.kind == "redirect":
            target = "/subscriptions/x/providers/Microsoft.Resources/deployments/d"
            return Reply(307, {}, {"Location": f"{target}?api-version=2021-04-01"})
        elif self.kind == "invalid-json":
            return Reply(200, None, headers, raw=b'{"totalRecords": 3, "count": 3, "data": [{"id')
        elif self.kind == "row-without-id" and page["data"]:
            del page["data"][0]["id"]
        elif self.kind == "total-off":
            page["totalRecords"] = max(0, page["totalRecords"] + int(self.value))
        elif self.kind == "truncated":
            page["resultTruncated"] = "true"
            page.pop("$skipToken", None)
        elif self.kind == "duplicate-row" and len(page["data"]) > 1:
            page["data"][1] = page["data"][0]
        elif self.kind == "raw-body":
            return Reply(200, None, headers, raw=self.value)
        return Reply(200, page, headers)


def inject(kind: str, **where: Any) -> Fault:
    return Fault(kind, **where)


def _page(rows: list[dict[str, Any]], total: int) -> dict[str, Any]:
    return {
        "totalRecords": total,
        "count": len(rows),
        "data": rows,
        "facets": [],
        "resultTruncated": "false",
    }
