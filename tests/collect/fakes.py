"""Test doubles for the collector: a credential, a clock, and a Resource Graph estate.

`ResourceGraphEstate` answers `POST /providers/Microsoft.ResourceGraph/resources` the way
Resource Graph does (azure-wire.md §1): it reads the query's table and type, filters rows by
the request's subscriptions, pages by `$top` / `$skipToken`, and sends wire-exact bodies
(`resultTruncated` is a string, `$skipToken` is absent on the last page). Faults are scripted
per subscription or per request number. It is used both as a `responses` callback and by the
loopback HTTPS server of the end-to-end tests.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "azure-rest-examples"
ARM = "https://management.azure.com"
QUERY_URL = f"{ARM}/providers/Microsoft.ResourceGraph/resources"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SUB_A = "11111111-1111-1111-1111-111111111111"
SUB_B = "22222222-2222-2222-2222-222222222222"
SUB_C = "33333333-3333-3333-3333-333333333333"


def example_body(name: str) -> Any:
    """`responses["200"]["body"]` of a stored REST example."""
    document = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return document["responses"]["200"]["body"]


def arg_row(body: Mapping[str, Any], subscription: str, resource_group: str) -> dict[str, Any]:
    """A Resource Graph row made from an ARM GET body: lower-case type, ARG's extra columns."""
    row = copy.deepcopy(dict(body))
    row["type"] = str(row["type"]).lower()
    row.update(
        {
            "tenantId": TENANT,
            "subscriptionId": subscription,
            "resourceGroup": resource_group.lower(),
        }
    )
    row["id"] = re.sub(r"^/subscriptions/[^/]+", f"/subscriptions/{subscription}", row["id"])
    return row


def synthetic_rows(resource_type: str, subscription: str, count: int) -> list[dict[str, Any]]:
    provider, kind = resource_type.split("/")
    return [
        {
            "id": f"/subscriptions/{subscription}/resourceGroups/rg-{i % 7}/providers/"
            f"{provider}/{kind}/r{i:05d}",
            "name": f"r{i:05d}",
            "type": resource_type,
            "tenantId": TENANT,
            "subscriptionId": subscription,
            "resourceGroup": f"rg-{i % 7}",
            "location": "westeurope",
            "sku": {"name": "Standard"},
            "zones": ["1"] if i % 2 else None,
            "tags": {"team": "payments"} if i % 3 else None,
            "properties": {"provisioningState": "Succeeded", "index": i},
            "kind": "",
            "managedBy": "",
        }
        for i in range(count)
    ]


class FakeCredential:
    """A token credential (azure-wire.md §6.1) that records the scopes it was asked for."""

    def __init__(self, error: Exception | None = None) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.error = error

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        if self.error is not None:
            raise self.error
        return AccessToken("fake-token", int(time.time()) + 3600)


class FakeClock:
    """Monotonic and wall time that only move when something sleeps (never for real).

    Threads share it: each sleep moves the time for everyone, so with several threads the
    clock runs ahead of what a real one would show; tests that assert exact sleeps run the
    collection on one thread."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self._elapsed = 0.0
        self._start = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    @property
    def elapsed(self) -> float:
        with self._lock:
            return self._elapsed

    def monotonic(self) -> float:
        return 1000.0 + self.elapsed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.elapsed)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._elapsed += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds


YIELD = 0.001  # real seconds an OverlappingClock sleep gives the other threads


class OverlappingClock(FakeClock):
    """A FakeClock whose threads' sleeps overlap, as on a real clock: a thread's sleep ends
    `seconds` after the time that thread last saw, so sixteen threads that each wait 0.05 s
    from the same moment move the time by 0.05 s, not 0.8 s. The simulated time still only
    moves when something sleeps; each sleep also yields the processor for a moment, so that a
    thread polling the clock cannot spin through simulated minutes while the thread it waits
    for has not run (on a real clock a sleep takes time, and the other thread runs)."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[int, float] = {}

    @property
    def elapsed(self) -> float:
        with self._lock:
            self._seen[threading.get_ident()] = self._elapsed
            return self._elapsed

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            start = self._seen.get(threading.get_ident(), self._elapsed)
            self._elapsed = max(self._elapsed, start + seconds)
            self._seen[threading.get_ident()] = self._elapsed
        time.sleep(YIELD)


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent instead of the JSON of `body` (e.g. a broken body)

    def payload(self) -> bytes:
        return self.raw if self.raw is not None else json.dumps(self.body).encode()


# Called before the estate answers: a Reply replaces the answer, None lets it through.
Fault = Callable[[int, dict[str, Any]], Reply | None]


class Injection(Protocol):
    """Called after the estate answered (tests/collect/faults.py): may change the answer."""

    def apply(self, body: dict[str, Any], reply: Reply) -> Reply: ...


def rate_limited(headers: Mapping[str, str]) -> Reply:
    return Reply(
        429,
        {
            "error": {
                "code": "RateLimiting",
                "message": "Please provide below info when asking for support: timestamp = "
                "2026-03-01T12:00:00.0000000Z, correlationId = "
                "0d6b1a4e-7b8a-4c55-9c0e-3a5f2b1c9d10.",
                "details": [
                    {
                        "code": "RateLimiting",
                        "message": "Client application has been throttled and should not "
                        "attempt to repeat the request until an amount of time has elapsed. "
                        "Please see https://aka.ms/resourcegraph-throttling for help.",
                    }
                ],
            }
        },
        dict(headers),
    )


def server_error(status: int = 503) -> Reply:
    code = {500: "InternalServerError", 503: "ServiceUnavailable"}.get(status, "ServerError")
    return Reply(status, {"error": {"code": code, "message": "The service is unavailable."}})


class ResourceGraphEstate:
    """A small Resource Graph: rows per table, scripted faults, every request recorded."""

    def __init__(self) -> None:
        self.resources: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.readable: set[str] = set()  # subscriptions the identity can read
        self.faults: list[Fault] = []
        self.injections: list[Injection] = []
        self.bodies: list[dict[str, Any]] = []
        self.truncate_types: set[str] = set()
        # Generous, so no test waits unless it means to (the service's own is 15 per 5 s).
        self.quota_headers = {
            "x-ms-user-quota-remaining": "999",
            "x-ms-user-quota-resets-after": "00:00:05",
        }
        self._lock = threading.RLock()

    # -- building the estate -------------------------------------------------------------

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.resources.append(row)
            self.readable.add(str(row["subscriptionId"]).lower())

    def subscriptions(self, *ids: str) -> None:
        self.readable.update(i.lower() for i in ids)

    # -- answering ------------------------------------------------------------------------

    def answer(self, body: dict[str, Any]) -> Reply:
        with self._lock:  # the collector's threads call in at once
            return self._answer(body)

    def _answer(self, body: dict[str, Any]) -> Reply:
        self.bodies.append(body)
        number = len(self.bodies)
        for fault in self.faults:
            reply = fault(number, body)
            if reply is not None:
                return reply
        reply = self._rows_answer(body)
        for injection in self.injections:
            reply = injection.apply(body, reply)
        return reply

    def _rows_answer(self, body: dict[str, Any]) -> Reply:
        query = body["query"]
        table = query.split("\n", 1)[0].strip().lower()
        scoped = self._scoped_subscriptions(body)
        if table == "resourcecontainers":
            rows = [
                {
                    "id": f"/subscriptions/{s}",
                    "subscriptionId": s,
                    "name": f"subscription {s[:4]}",
                    "tenantId": TENANT,
                    "state": "Enabled",
                }
                for s in sorted(scoped)
            ]
        elif table == "resourcechanges":
            rows = [c for c in self.changes if c["subscriptionId"].lower() in scoped]
        else:
            match = re.search(r"type =~ '([^']+)'", query)
            assert match is not None, query
            wanted = match.group(1)
            rows = [
                r
                for r in self.resources
                if r["type"] == wanted and r["subscriptionId"].lower() in scoped
            ]
            if wanted in self.truncate_types:
                return Reply(200, self._page(rows[:2], len(rows), None, truncated=True))
            rows = sorted(rows, key=lambda r: r["id"])
        options = body.get("options", {})
        top = int(options.get("$top", 1000))
        start = int(options.get("$skipToken", "offset:0").split(":")[1])
        chunk = rows[start : start + top]
        token = f"offset:{start + top}" if start + top < len(rows) else None
        return Reply(200, self._page(chunk, len(rows), token), dict(self.quota_headers))

    def _scoped_subscriptions(self, body: Mapping[str, Any]) -> set[str]:
        if "subscriptions" in body:
            return {s.lower() for s in body["subscriptions"]} & self.readable
        return set(self.readable)  # tenant or management group: everything readable

    @staticmethod
    def _page(
        rows: list[dict[str, Any]], total: int, token: str | None, truncated: bool = False
    ) -> dict[str, Any]:
        page: dict[str, Any] = {
            "totalRecords": total,
            "count": len(rows),
            "data": rows,
            "facets": [],
            "resultTruncated": "true" if truncated else "false",
        }
        if token is not None:
            page["$skipToken"] = token
        return page

    # -- looking at what was asked ---------------------------------------------------------

    def queries_for(self, marker: str) -> list[dict[str, Any]]:
        return [b for b in self.bodies if marker in b["query"]]

    def callback(self, request: Any) -> tuple[int, dict[str, str], str]:
        """A `responses` callback."""
        reply = self.answer(json.loads(request.body))
        headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        return reply.status, headers, reply.payload().decode("utf-8", "replace")
