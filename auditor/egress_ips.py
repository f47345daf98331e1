"""The allowlist feed: the addresses the estate's traffic leaves from, per node pool, per
cluster, per declared destination (a policy entry with `allowed_egress`) and for the estate;
with a baseline, the addresses added and removed since.

Addresses are aggregated into the fewest CIDRs that cover exactly the same addresses
(`ipaddress.collapse_addresses`: adjacent and nested networks merge, nothing is widened).
A path whose addresses cannot be known (an unread hop, a virtual appliance, default outbound
access) is listed as unknown with its reason, never dropped. A pool is compared with the
baseline only when both sides are known and both snapshots read its subscription; otherwise it
is listed as not compared, so nothing is reported as added or removed on a guess.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.drift import Coverage
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster
from auditor.model import EgressPath
from auditor.policy import Network, Policy
from auditor.snapshot import Snapshot
from auditor.workload_egress import workload_paths


@dataclass(frozen=True, slots=True)
class PathAddresses:
    """One egress path of a pool: `traffic` is nodes or pods."""

    traffic: str
    kind: str
    addresses: tuple[Network, ...] | None  # None: unknown
    reason: str


@dataclass(frozen=True, slots=True)
class PoolAddresses:
    id: str
    name: str
    cluster_name: str
    subscription_id: str
    paths: tuple[PathAddresses, ...]

    @property
    def label(self) -> str:
        return f"{self.cluster_name}/{self.name}"

    @property
    def known(self) -> tuple[Network, ...]:
        return collapse(a for p in self.paths for a in p.addresses or ())

    @property
    def unknown(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (f"{self.label} ({p.traffic})", p.reason) for p in self.paths if p.addresses is None
        )


@dataclass(frozen=True, slots=True)
class Changes:
    added: tuple[Network, ...]
    removed: tuple[Network, ...]
    not_compared: tuple[tuple[str, str], ...]  # (pool, why)


@dataclass(frozen=True, slots=True)
class Scope:
    """The addresses of a set of pools: a cluster, a destination, or the whole estate."""

    id: str
    name: str
    addresses: tuple[Network, ...]
    unknown: tuple[tuple[str, str], ...]  # (pool (traffic), reason)
    changes: Changes | None
    pools: tuple[PoolAddresses, ...] = ()
    declared: tuple[Network, ...] | None = None  # destinations: allowed_egress
    where: str = ""  # destinations: the policy line

    @property
    def outside_declared(self) -> tuple[Network, ...]:
        return subtract(self.addresses, self.declared) if self.declared is not None else ()


@dataclass(frozen=True, slots=True)
class Feed:
    collected_at: str
    baseline_collected_at: str | None
    not_read: tuple[str, ...]
    estate: Scope
    destinations: tuple[Scope, ...]
    clusters: tuple[Scope, ...]

    @property
    def partial(self) -> bool:
        return bool(self.not_read)


def collapse(networks: Iterable[Network]) -> tuple[Network, ...]:
    """The fewest CIDRs covering exactly these addresses, IPv4 first, sorted."""
    networks = list(networks)
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    return (*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6))


def subtract(networks: Sequence[Network], minus: Sequence[Network]) -> tuple[Network, ...]:
    """The addresses of `networks` that are in none of `minus`, collapsed."""
    left: list[Network] = []
    for network in networks:
        pieces = [network]
        for other in minus:
            if other.version != network.version:
                continue
            remaining: list[Network] = []
            for piece in pieces:
                if not piece.overlaps(other):
                    remaining.append(piece)
                elif not piece.subnet_of(other):  # type: ignore[arg-type]
                    remaining.extend(piece.address_exclude(other))  # type: ignore[arg-type]
            pieces = remaining
        left.extend(pieces)
    return collapse(left)


def pool_addresses(graph: EgressGraph, policy: Policy) -> dict[str, tuple[Cluster, PoolAddresses]]:
    """Every node pool's egress addresses, by lower-cased pool ID; a static egress gateway's
    annotated pods are a path of their gateway pool, and virtual nodes an entry of their own."""
    found = {}
    for cluster, pool in graph.node_pools():
        paths: list[tuple[str, EgressPath | None]] = [
            ("nodes", graph.egress(pool)),
            ("pods", graph.pod_egress(pool)),
        ]
        found[pool.id.key] = (cluster, _entry(pool.id.text, pool.name, cluster, paths))
    for cluster in graph.clusters():
        for workload in workload_paths(graph, policy, cluster):
            if workload.gateway and workload.subject_id.key in found:
                owner, entry = found[workload.subject_id.key]
                gateway = _path(f"gateway pods {workload.name}", workload.egress)
                found[workload.subject_id.key] = (
                    owner,
                    dataclasses.replace(entry, paths=(*entry.paths, gateway)),
                )
            elif not workload.gateway:
                paths = [("virtual nodes", workload.egress)]
                entry = _entry(f"{cluster.id.text}/virtualNodes", "virtual nodes", cluster, paths)
                found[f"{cluster.id.key}/virtualnodes"] = (cluster, entry)
    return found


def _entry(
    id_: str, name: str, cluster: Cluster, paths: Iterable[tuple[str, EgressPath | None]]
) -> PoolAddresses:
    entries = tuple(_path(traffic, path) for traffic, path in paths if path is not None)
    return PoolAddresses(id_, name, cluster.name, cluster.subscription_id.lower(), entries)


def _path(traffic: str, path: EgressPath) -> PathAddresses:
    if path.addresses is None:
        addresses = None
        reason = path.reason or path.describe()
    else:
        addresses = collapse(ipaddress.ip_network(c, strict=False) for c in path.addresses)
        reason = "" if addresses else (path.reason or path.describe())
        if path.unknown_ids:
            unread = ", ".join(i.text for i in path.unknown_ids)
            addresses, reason = None, f"not in the snapshot: {unread}"
    return PathAddresses(traffic, path.kind.slug, addresses, reason)


def feed(
    snap: Snapshot,
    policy: Policy,
    baseline: Snapshot | None = None,
    baseline_graph: EgressGraph | None = None,
) -> Feed:
    """The allowlist feed, and with `baseline` what changed since it (`baseline_graph` is its
    graph when the caller built it already)."""
    graph = EgressGraph.from_snapshot(snap)
    current = pool_addresses(graph, policy)
    old: dict[str, tuple[Cluster, PoolAddresses]] = {}
    if baseline is not None:
        if baseline_graph is None:
            baseline_graph = EgressGraph.from_snapshot(baseline)
        old = pool_addresses(baseline_graph, policy)
    compare = _Comparer(current, old, snap, baseline) if baseline is not None else None

    def scope(id_: str, name: str, keys: set[str], **extra: object) -> Scope:
        pools = [current[k][1] for k in sorted(keys) if k in current]
        return Scope(
            id=id_,
            name=name,
            addresses=collapse(a for p in pools for a in p.known),
            unknown=tuple(u for p in pools for u in p.unknown),
            changes=compare.changes(keys) if compare is not None else None,
            **extra,  # type: ignore[arg-type]
        )

    clusters: dict[str, tuple[Cluster, set[str]]] = {}
    for key, (cluster, _pool) in [*old.items(), *current.items()]:
        clusters.setdefault(cluster.id.key, (cluster, set()))[1].add(key)
    cluster_scopes = []
    for cluster_key in sorted(clusters):
        cluster, keys = clusters[cluster_key]
        listed = sorted((current[k][1].name.lower(), k) for k in keys if k in current)
        pools = tuple(current[k][1] for _name, k in listed)
        cluster_scopes.append(scope(cluster.id.text, cluster.name, keys, pools=pools))
    destinations = []
    for index, entry in enumerate(policy.clusters):
        if entry.allowed_egress is None:
            continue
        keys = {
            pool_key
            for cluster, pool_keys in clusters.values()
            if entry.selector.matches(cluster)
            for pool_key in pool_keys
        }
        location = entry.allowed_egress_location
        destinations.append(
            scope(
                f"clusters[{index}]",
                entry.selector.describe(),
                keys,
                declared=collapse(entry.allowed_egress),
                where=f"{location.path}:{location.line}" if location else "",
            )
        )
    not_read = tuple(
        f"{e.scope}{f' (HTTP {e.status})' if e.status else ''}: {e.message}" for e in snap.errors
    )
    return Feed(
        collected_at=snap.collected_at,
        baseline_collected_at=baseline.collected_at if baseline is not None else None,
        not_read=not_read,
        estate=scope("estate", "every node pool", {*current, *old}),
        destinations=tuple(destinations),
        clusters=tuple(cluster_scopes),
    )


class _Comparer:
    def __init__(
        self,
        current: dict[str, tuple[Cluster, PoolAddresses]],
        old: dict[str, tuple[Cluster, PoolAddresses]],
        snap: Snapshot,
        baseline: Snapshot,
    ) -> None:
        self.current = current
        self.old = old
        self.now_read = Coverage.of(snap)
        self.then_read = Coverage.of(baseline)

    def changes(self, keys: set[str]) -> Changes:
        comparable_now: list[Network] = []
        comparable_then: list[Network] = []
        known_now: list[Network] = []
        known_then: list[Network] = []
        skipped = []
        for key in sorted(keys):
            now = self.current[key][1] if key in self.current else None
            then = self.old[key][1] if key in self.old else None
            # Addresses known to be in use on a side are never added or removed, even where
            # another path of the same pool is unknown.
            known_now.extend(now.known if now else ())
            known_then.extend(then.known if then else ())
            why = self._why_not(key, now, then)
            if why:
                skipped.append(((now or then).label, why))  # type: ignore[union-attr]
                continue
            comparable_now.extend(now.known if now else ())
            comparable_then.extend(then.known if then else ())
        return Changes(
            added=subtract(collapse(comparable_now), collapse(known_then)),
            removed=subtract(collapse(comparable_then), collapse(known_now)),
            not_compared=tuple(skipped),
        )

    def _why_not(self, key: str, now: PoolAddresses | None, then: PoolAddresses | None) -> str:
        subscription = (now or then).subscription_id  # type: ignore[union-attr]
        if now is not None and now.unknown:
            return f"unknown now: {now.unknown[0][1]}"
        if then is not None and then.unknown:
            return f"unknown in the baseline: {then.unknown[0][1]}"
        if then is None and not self.then_read.read_subscription(subscription):
            return f"the baseline did not read subscription {subscription}"
        if now is None and not self.now_read.read_subscription(subscription):
            return f"subscription {subscription} was not read this time"
        return ""
