"""The allowlist feed (`egress-audit egress-ips`) as text, CSV and JSON.

Deterministic: estate first, then the destinations in policy order, then the clusters by ID;
addresses as aggregated CIDRs, IPv4 first. Unknown addresses are rows of their own with the
reason, so a feed never looks complete when it is not.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from auditor.egress_ips import Feed, PoolAddresses, Scope
from auditor.policy import Network

FORMATS = ("text", "csv", "json")
CSV_COLUMNS = ("scope", "id", "name", "address", "state", "reason")


def render(feed: Feed, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document(feed), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(feed)
    return _text(feed)


def _cidrs(networks: Sequence[Network] | None) -> list[str] | None:
    return None if networks is None else [str(n) for n in networks]


# --- JSON ----------------------------------------------------------------------------------


def document(feed: Feed) -> dict[str, Any]:
    return {
        "format": "egress-audit-egress-ips",
        "version": 1,
        "collectedAt": feed.collected_at,
        "baselineCollectedAt": feed.baseline_collected_at,
        "partial": feed.partial,
        "notRead": list(feed.not_read),
        "estate": _scope(feed.estate),
        "destinations": [_scope(d) for d in feed.destinations],
        "clusters": [_scope(c) for c in feed.clusters],
    }


def _scope(scope: Scope) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": scope.id, "name": scope.name}
    if scope.declared is not None:
        entry["policy"] = scope.where
        entry["declared"] = _cidrs(scope.declared)
    entry["addresses"] = _cidrs(scope.addresses)
    if scope.declared is not None:
        entry["outsideDeclared"] = _cidrs(scope.outside_declared)
    entry["unknown"] = [{"pool": pool, "reason": reason} for pool, reason in scope.unknown]
    if scope.changes is not None:
        entry["added"] = _cidrs(scope.changes.added)
        entry["removed"] = _cidrs(scope.changes.removed)
        entry["notCompared"] = [{"pool": p, "reason": r} for p, r in scope.changes.not_compared]
    if scope.pools:
        entry["nodePools"] = [_pool(p) for p in scope.pools]
    return entry


def _pool(pool: PoolAddresses) -> dict[str, Any]:
    return {
        "id": pool.id,
        "name": pool.name,
        "addresses": _cidrs(pool.known),
        "paths": [
            {
                "traffic": p.traffic,
                "kind": p.kind,
                "addresses": _cidrs(p.addresses),
                "reason": p.reason or None,
            }
            for p in pool.paths
        ],
    }


# --- CSV -------------------------------------------------------------------------------------


def _csv(feed: Feed) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_rows(feed))
    return out.getvalue()


def _csv_rows(feed: Feed) -> Iterator[tuple[str, ...]]:
    for error in feed.not_read:
        yield ("estate", "estate", "", "", "not-read", error)
    scopes = [("estate", feed.estate)]
    scopes += [("destination", d) for d in feed.destinations]
    scopes += [("cluster", c) for c in feed.clusters]
    for kind, scope in scopes:
        yield from _scope_rows(kind, scope)
        for pool in scope.pools:
            for path in pool.paths:
                what = f"{path.traffic} via {path.kind}"
                if path.addresses is None:
                    yield ("pool", pool.id, pool.name, "", "unknown", f"{what}: {path.reason}")
                elif not path.addresses:
                    yield ("pool", pool.id, pool.name, "", "none", f"{what}: {path.reason}")
                for address in path.addresses or ():
                    yield ("pool", pool.id, pool.name, str(address), "egress", what)


def _scope_rows(kind: str, scope: Scope) -> Iterator[tuple[str, ...]]:
    for address in scope.declared or ():
        yield (kind, scope.id, scope.name, str(address), "declared", scope.where)
    for address in scope.addresses:
        yield (kind, scope.id, scope.name, str(address), "egress", "")
    for address in scope.outside_declared:
        yield (kind, scope.id, scope.name, str(address), "outside-declared", "")
    for pool, reason in scope.unknown:
        yield (kind, scope.id, scope.name, "", "unknown", f"{pool}: {reason}")
    if scope.changes is not None:
        for address in scope.changes.added:
            yield (kind, scope.id, scope.name, str(address), "added", "")
        for address in scope.changes.removed:
            yield (kind, scope.id, scope.name, str(address), "removed", "")
        for pool, reason in scope.changes.not_compared:
            yield (kind, scope.id, scope.name, "", "not-compared", f"{pool}: {reason}")


# --- text ------------------------------------------------------------------------------------


def _text(feed: Feed) -> str:
    lines = [f"Egress addresses of the estate read at {feed.collected_at}"]
    if feed.baseline_collected_at:
        lines[0] += f", compared with the baseline read at {feed.baseline_collected_at}"
    lines += [f"NOT READ (partial): {error}" for error in feed.not_read]
    lines += ["", "Estate", *_text_scope(feed.estate)]
    if feed.destinations:
        lines += ["", "Destinations (allowed_egress in the policy)"]
        for destination in feed.destinations:
            where = f" {destination.where}" if destination.where else ""
            lines.append(f"  {destination.id}{where} ({destination.name})")
            lines += _text_scope(destination)
    lines += ["", "Clusters"]
    for cluster in feed.clusters:
        lines.append(f"  {cluster.name}  {cluster.id}")
        lines += _text_scope(cluster)
        for pool in cluster.pools:
            lines.append(f"    pool {pool.name}: {_list(pool.known)}")
            lines += [
                f"      {p.traffic}: {'unknown' if p.addresses is None else 'none'} ({p.reason})"
                for p in pool.paths
                if not p.addresses
            ]
    return "\n".join(lines) + "\n"


def _text_scope(scope: Scope) -> list[str]:
    lines = []
    if scope.declared is not None:
        lines.append(f"    declared   {_list(scope.declared)}")
    lines.append(f"    addresses  {_list(scope.addresses)}")
    if scope.declared is not None and scope.outside_declared:
        lines.append(f"    OUTSIDE    {_list(scope.outside_declared)}")
    lines += [f"    unknown    {pool}: {reason}" for pool, reason in scope.unknown]
    if scope.changes is not None:
        lines.append(f"    added      {_list(scope.changes.added)}")
        lines.append(f"    removed    {_list(scope.changes.removed)}")
        lines += [f"    not compared  {p}: {r}" for p, r in scope.changes.not_compared]
    return lines


def _list(networks: Sequence[Network]) -> str:
    return ", ".join(str(n) for n in networks) or "-"
