"""Live collection against a latency fake of Resource Graph on 127.0.0.1.

    python -m benchmarks.collect [--latency 0.2] [--subscriptions 50] [--rows 40000]

The fake answers the real SDK over HTTPS (a throwaway `trustme` CA) after `--latency`
seconds per request, with ~40,000 rows spread unevenly over the seven types and the change
history, across `--subscriptions` subscriptions. It measures, in this process:

- the slowest type's pages alone, fetched one after another (the floor for any schedule);
- the whole collection at the default concurrency: requests sent (against the minimum,
  1 check + ceil(rows / 1000) per query) and wall time, and its ratio to that floor
  (target: at most 1.5×);
- the same at --concurrency 1 (one request at a time), for comparison;
- the whole collection against Resource Graph's documented quota (15 queries per 5 s,
  counted on arrival, 429 beyond it): requests, 429s received (target: none) and wall time
  against the quota's own floor.

It prints a table and one JSON line, and never fails. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme
from azure.core.credentials import AccessToken

from auditor.collect import clouds
from auditor.collect.client import PAGE_SIZE, GraphClient, Scope, make_graph_client
from auditor.collect.clock import SystemClock
from auditor.collect.collector import CHANGES, CollectionSettings, collect
from auditor.collect.limits import DEFAULT_WORKERS
from auditor.collect.paging import fetch_all
from auditor.collect.query import resources_query
from auditor.snapshot import RESOURCE_TYPES

QUERY_PATH = "/providers/Microsoft.ResourceGraph/resources"
# Share of the rows per table: uneven on purpose, one type needs far more pages than the rest.
SHARES = {
    "microsoft.containerservice/managedclusters": 0.0375,
    "microsoft.network/virtualnetworks": 0.0825,
    "microsoft.network/natgateways": 0.13,
    "microsoft.network/publicipaddresses": 0.295,
    "microsoft.network/publicipprefixes": 0.03,
    "microsoft.network/routetables": 0.1375,
    "microsoft.network/loadbalancers": 0.1375,
    # An enterprise estate has a few hub firewalls, their policies and gateways.
    "microsoft.network/azurefirewalls": 0.005,
    "microsoft.network/firewallpolicies": 0.005,
    "microsoft.network/virtualnetworkgateways": 0.005,
    CHANGES: 0.135,
}
QUOTA_LIMIT, QUOTA_WINDOW = 15, 5.0  # the documented example quota


class Estate:
    """Rows per (table, subscription), answered in pages of `$top` as Resource Graph does."""

    def __init__(self, subscriptions: list[str], rows: int) -> None:
        self.by_table: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for table, share in SHARES.items():
            count = round(rows * share)
            per = {s: [] for s in subscriptions}
            for i in range(count):
                subscription = subscriptions[i % len(subscriptions)]
                per[subscription].append(_row(table, subscription, i))
            self.by_table[table] = per
        self._cache: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def rows(self, table: str, subscriptions: tuple[str, ...]) -> list[dict[str, Any]]:
        key = (table, subscriptions)
        with self._lock:
            if key not in self._cache:
                chosen = [r for s in subscriptions for r in self.by_table[table].get(s, [])]
                self._cache[key] = sorted(chosen, key=lambda r: r["id"])
            return self._cache[key]

    def page(self, body: dict[str, Any]) -> dict[str, Any]:
        query: str = body["query"]
        subscriptions = tuple(body.get("subscriptions", []))
        if query.startswith("resourcecontainers"):
            rows = [{"id": f"/subscriptions/{s}", "subscriptionId": s} for s in subscriptions]
        elif query.startswith("resourcechanges"):
            rows = self.rows(CHANGES, subscriptions)
        else:
            table = next(t for t in RESOURCE_TYPES if f"'{t}'" in query)
            rows = self.rows(table, subscriptions)
        options = body.get("options", {})
        top = int(options.get("$top", PAGE_SIZE))
        start = int(options.get("$skipToken", "0"))
        page: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(rows[start : start + top]),
            "data": rows[start : start + top],
            "facets": [],
            "resultTruncated": "false",
        }
        if start + top < len(rows):
            page["$skipToken"] = str(start + top)
        return page

    def minimum_requests(self, batches: list[tuple[str, ...]]) -> int:
        pages = sum(
            max(1, -(-len(self.rows(table, batch)) // PAGE_SIZE))
            for batch in batches
            for table in SHARES
        )
        return 1 + pages


def _row(table: str, subscription: str, i: int) -> dict[str, Any]:
    kind = table.rsplit("/", 1)[-1]
    return {
        "id": f"/subscriptions/{subscription}/resourceGroups/rg-{i % 9}/providers/{table}/"
        f"{kind}-{i:06d}",
        "name": f"{kind}-{i:06d}",
        "type": table,
        "subscriptionId": subscription,
        "resourceGroup": f"rg-{i % 9}",
        "location": "westeurope",
        "tags": {"team": "payments", "cost-centre": str(i % 40)},
        "properties": {"provisioningState": "Succeeded", "index": i, "zones": ["1", "2"]},
    }


class Quota:
    """Resource Graph's per-user quota, counted on arrival over the real clock."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.used, self.ends, self.refused = 0, 0.0, 0
        self.lock = threading.Lock()

    def arrive(self) -> tuple[bool, dict[str, str]]:
        with self.lock:
            now = time.monotonic()
            if now >= self.ends:
                self.used, self.ends = 0, now + self.window
            self.used += 1
            allowed = self.used <= self.limit
            self.refused += not allowed
            left = self.ends - now
            headers = {
                "x-ms-user-quota-remaining": str(max(0, self.limit - self.used)),
                "x-ms-user-quota-resets-after": f"00:00:{left:06.3f}",
            }
            return allowed, headers


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, estate: Estate, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.estate, self.latency = estate, latency
        self.quota: Quota | None = None
        self.requests = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        with self.server.lock:
            self.server.requests += 1
        time.sleep(self.server.latency)
        status, headers, answer = 200, {}, None
        if self.server.quota is not None:
            allowed, headers = self.server.quota.arrive()
            if not allowed:
                status = 429
                headers["Retry-After"] = "1"
                answer = {"error": {"code": "RateLimiting", "message": "throttled"}}
        if not self.path.startswith(QUERY_PATH):
            status, answer = 404, {"error": {"code": "NotFound", "message": "no"}}
        payload = json.dumps(answer or self.server.estate.page(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class Token:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("benchmark", int(time.time()) + 3600)


@contextmanager
def serving(estate: Estate, latency: float) -> Iterator[tuple[Server, Path]]:
    ca = trustme.CA()
    server = Server(estate, latency)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        try:
            yield server, bundle
        finally:
            server.shutdown()
            server.server_close()


def client(server: Server, bundle: Path) -> tuple[GraphClient, clouds.Cloud]:
    url = f"https://127.0.0.1:{server.server_address[1]}"
    cloud = clouds.resolve(None, url)
    graph = make_graph_client(Token(), cloud, clock=SystemClock(), connection_verify=str(bundle))
    return graph, cloud


def timed_collection(
    server: Server, bundle: Path, subscriptions: list[str], concurrency: int
) -> tuple[float, int, int]:
    """Wall seconds, requests sent, and rows collected."""
    graph, cloud = client(server, bundle)
    settings = CollectionSettings(
        subscriptions=tuple(subscriptions), cloud=cloud, concurrency=concurrency
    )
    before = server.requests
    with graph:
        start = time.perf_counter()
        snapshot = collect(settings, graph, clock=SystemClock())
        elapsed = time.perf_counter() - start
    if snapshot.errors:
        raise SystemExit(f"collection had gaps: {snapshot.errors}")
    rows = sum(len(snapshot.rows(t)) for t in RESOURCE_TYPES) + len(snapshot.changes)
    return elapsed, server.requests - before, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per request")
    parser.add_argument("--subscriptions", type=int, default=50)
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--no-quota", action="store_true", help="skip the quota run")
    args = parser.parse_args()

    subscriptions = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(args.subscriptions)]
    estate = Estate(subscriptions, args.rows)
    batches = [tuple(subscriptions[i : i + 200]) for i in range(0, len(subscriptions), 200)]
    minimum = estate.minimum_requests(batches)
    slowest = max(RESOURCE_TYPES, key=lambda t: len(estate.rows(t, batches[0])))
    with serving(estate, args.latency) as (server, bundle):
        graph, _ = client(server, bundle)
        with graph:
            start = time.perf_counter()
            alone = fetch_all(graph, resources_query(slowest), Scope(tuple(subscriptions)))
            floor = time.perf_counter() - start
        wall, requests, rows = timed_collection(server, bundle, subscriptions, DEFAULT_WORKERS)
        sequential, _, _ = timed_collection(server, bundle, subscriptions, 1)
        quota: dict[str, Any] | None = None
        if not args.no_quota:
            server.quota = Quota(QUOTA_LIMIT, QUOTA_WINDOW)
            quota_wall, quota_requests, _ = timed_collection(
                server, bundle, subscriptions, DEFAULT_WORKERS
            )
            windows = -(-quota_requests // QUOTA_LIMIT)
            quota = {
                "wall_s": round(quota_wall, 2),
                "requests": quota_requests,
                "throttled_429": server.quota.refused,
                "floor_s": round((windows - 1) * QUOTA_WINDOW, 1),
            }

    ratio = wall / floor
    print(
        f"{rows:,} rows in {args.subscriptions} subscriptions, {args.latency * 1000:.0f} ms "
        "per request"
    )
    print(f"slowest type alone ({slowest}): {alone.pages} pages, {floor:.2f} s")
    print(
        f"collection, concurrency {DEFAULT_WORKERS}: {requests} requests (minimum {minimum}), "
        f"{wall:.2f} s = {ratio:.2f}× the slowest type (target ≤ 1.5×)"
    )
    print(f"collection, concurrency 1: {sequential:.2f} s = {sequential / floor:.2f}×")
    if quota is not None:
        print(
            f"with a {QUOTA_LIMIT}-per-{QUOTA_WINDOW:.0f} s quota: {quota['requests']} requests, "
            f"{quota['throttled_429']} throttled (429), {quota['wall_s']:.2f} s (the quota "
            f"alone needs {quota['floor_s']:.1f} s)"
        )
    print(
        json.dumps(
            {
                "benchmark": "collect",
                "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "latency_s": args.latency,
                "subscriptions": args.subscriptions,
                "rows": rows,
                "requests": requests,
                "minimum_requests": minimum,
                "concurrency": DEFAULT_WORKERS,
                "wall_s": round(wall, 2),
                "slowest_type": slowest,
                "slowest_type_pages": alone.pages,
                "slowest_type_s": round(floor, 2),
                "ratio": round(ratio, 2),
                "sequential_s": round(sequential, 2),
                "quota": quota,
            }
        )
    )


if __name__ == "__main__":
    main()
