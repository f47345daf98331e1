"""Drift: the egress-relevant facts of a baseline and a current estate, compared.

Each estate is reduced to the facts that decide where traffic leaves from (per node pool:
subnets and effective egress paths; per subnet: its NAT gateway; per egress device: its idle
timeout; per cluster: outbound type and network plugin), keyed by lower-cased ARM ID so that
casing and row order never count as change. Drift rules (rules/drf*.py) are ordinary rules
that compare two such fact sets (`Comparison`); the engine runs them when a baseline is given
and, as a last pass, attributes each of their findings with the current snapshot's change
history (who, when, which operation).

What is unknown is never a change: a path that is unknown on either side is not compared,
and a resource in a subscription either snapshot could not read is neither added nor removed.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.arm import ResourceId
from auditor.enums import OutboundType
from auditor.graph import defaults
from auditor.graph.estate import EgressGraph
from auditor.graph.managed import managed_nat_timeout
from auditor.graph.nodes import Cluster, NatGateway, NodePool, Subnet
from auditor.history import Change, History, parse_changes, parse_time
from auditor.model import EgressKind, EgressPath, Finding, Rule
from auditor.snapshot import Snapshot
from auditor.wording import counted

NODES = "nodes"
PODS = "pods"

# Idle timeout owners (also the finding key of DRF004).
NAT_GATEWAY = "nat-gateway"
MANAGED_NAT_PROFILE = "natGatewayProfile"
LB_PROFILE = "loadBalancerProfile"


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which subscriptions a snapshot read completely."""

    subscriptions: frozenset[str] | None  # None: the scope does not list them
    failed: frozenset[str]
    failed_unnamed: bool  # an error that names no subscription

    @classmethod
    def of(cls, snap: Snapshot) -> Coverage:
        listed = snap.scope.get("subscriptions")
        subscriptions = (
            frozenset(str(s).lower() for s in listed) if isinstance(listed, list) else None
        )
        failed = frozenset(s.lower() for e in snap.errors for s in e.subscriptions)
        unnamed = any(not e.subscriptions for e in snap.errors)
        return cls(subscriptions, failed, unnamed)

    def read(self, resource_id: ResourceId) -> bool:
        return self.read_subscription(resource_id.parts.subscription_id.lower())

    def read_subscription(self, subscription: str) -> bool:
        """Whether the snapshot read this (lower-case) subscription completely."""
        if subscription in self.failed:
            return False
        if self.subscriptions is not None:
            return subscription in self.subscriptions
        return not self.failed_unnamed


@dataclass(frozen=True, slots=True)
class PoolFacts:
    pool: NodePool
    cluster: Cluster
    node_subnet_id: ResourceId | None  # declared vnetSubnetID; None = the AKS-managed VNet
    pod_subnet_id: ResourceId | None
    paths: Mapping[str, EgressPath]  # NODES, and PODS when the pool has a pod subnet


@dataclass(frozen=True, slots=True)
class SubnetFacts:
    subnet: Subnet
    nat_gateway_id: ResourceId | None  # the subnet's own NAT, or one attached to its VNet
    nat_unknown: bool  # the records of the association disagree
    pools: tuple[ResourceId, ...]  # node pools whose nodes or pods use it


@dataclass(frozen=True, slots=True)
class IdleTimeout:
    """The idle timeout of a device that carries node pool egress."""

    subject_id: ResourceId  # the NAT gateway, or the cluster owning the profile
    owner: str  # NAT_GATEWAY | MANAGED_NAT_PROFILE | LB_PROFILE
    minutes: int  # with Azure's default applied when the field is unset
    clusters: tuple[Cluster, ...]  # clusters whose pools egress through it


@dataclass(frozen=True, slots=True)
class EstateFacts:
    source: str
    collected_at: str
    clusters: Mapping[str, Cluster]
    pools: Mapping[str, PoolFacts]
    subnets: Mapping[str, SubnetFacts]
    timeouts: Mapping[str, IdleTimeout]  # key: "<lower subject id>|<owner>"
    coverage: Coverage

    def read(self, resource_id: ResourceId) -> bool:
        return self.coverage.read(resource_id)

    @classmethod
    def of(cls, snap: Snapshot, graph: EgressGraph | None = None) -> EstateFacts:
        if graph is None:
            graph = EgressGraph.from_snapshot(snap)
        pools: dict[str, PoolFacts] = {}
        users: dict[str, list[ResourceId]] = defaultdict(list)
        subnets: dict[str, Subnet] = {}
        nat_users: dict[ResourceId, list[Cluster]] = defaultdict(list)
        for cluster, pool in graph.node_pools():
            paths = {NODES: graph.egress(pool)}
            pod_path = graph.pod_egress(pool)
            if pod_path is not None:
                paths[PODS] = pod_path
            pools[pool.id.key] = PoolFacts(
                pool, cluster, pool.vnet_subnet_id, pool.pod_subnet_id, paths
            )
            for subnet in (graph.node_subnet(pool), graph.pod_subnet(pool)):
                if isinstance(subnet, Subnet):
                    subnets[subnet.id.key] = subnet
                    users[subnet.id.key].append(pool.id)
            # A managed NAT gateway's timeout is the cluster's natGatewayProfile (below).
            if cluster.is_managed_nat:
                continue
            for path in paths.values():
                if path.kind is EgressKind.NAT_GATEWAY and path.device_id:
                    nat_users[path.device_id].append(cluster)
        return cls(
            source=snap.source,
            collected_at=snap.collected_at,
            clusters={c.id.key: c for c in graph.clusters()},
            pools=pools,
            subnets={
                key: SubnetFacts(
                    subnet,
                    graph.subnet_nat_gateway_id(subnet),
                    graph.nat_association(subnet).is_unknown,
                    tuple(sorted(set(users[key]))),
                )
                for key, subnet in subnets.items()
            },
            timeouts=_timeouts(graph, nat_users),
            coverage=Coverage.of(snap),
        )


def _timeouts(
    graph: EgressGraph, nat_users: Mapping[ResourceId, list[Cluster]]
) -> dict[str, IdleTimeout]:
    found: dict[str, IdleTimeout] = {}
    for nat_id, clusters in nat_users.items():
        nat = graph.get(nat_id)
        key = nat_id.key
        if isinstance(nat, NatGateway):
            unique = tuple({c.id.key: c for c in clusters}.values())
            minutes = nat.idle_timeout_minutes or defaults.NAT_IDLE_MINUTES
            found[f"{key}|{NAT_GATEWAY}"] = IdleTimeout(nat.id, NAT_GATEWAY, minutes, unique)
    for cluster in graph.clusters():
        if cluster.is_managed_nat:
            # What the managed gateway enforces (its own value when read).
            owner, minutes = MANAGED_NAT_PROFILE, managed_nat_timeout(graph, cluster).minutes
        elif cluster.outbound is OutboundType.LOAD_BALANCER:
            lb = cluster.load_balancer_profile
            idle = None if lb is None else lb.idle_timeout_minutes
            owner, minutes = LB_PROFILE, idle or defaults.AKS_LB_IDLE_MINUTES
        else:
            continue
        found[f"{cluster.id.key}|{owner}"] = IdleTimeout(cluster.id, owner, minutes, (cluster,))
    return found


@dataclass(frozen=True, slots=True)
class Comparison:
    """What drift rules compare: the baseline's egress facts and the estate's."""

    before: EstateFacts
    after: EstateFacts

    @classmethod
    def of(
        cls,
        baseline: Snapshot,
        current: Snapshot,
        current_graph: EgressGraph,
        baseline_graph: EgressGraph | None = None,
    ) -> Comparison:
        return cls(EstateFacts.of(baseline, baseline_graph), EstateFacts.of(current, current_graph))


def change_history(baseline: Snapshot, current: Snapshot) -> History:
    """The current snapshot's change records between the two reads: they explain drift."""
    return History(
        parse_changes(current.changes),
        since=parse_time(baseline.collected_at),
        until=parse_time(current.collected_at),
    )


def baseline_warnings(baseline: Snapshot, current: Snapshot) -> list[str]:
    warnings = []
    if baseline.errors:
        warnings.append(
            f"baseline {baseline.source} was a partial collection: resources in the scopes it "
            "could not read are not reported as added or removed"
        )
    then, now = parse_time(baseline.collected_at), parse_time(current.collected_at)
    if then is not None and now is not None and then > now:
        warnings.append(
            f"baseline {baseline.source} was read at {baseline.collected_at}, after the estate "
            f"it is compared with ({current.collected_at}): before and after are swapped"
        )
    return warnings


def attribute_all(
    findings: Sequence[Finding], rules: Sequence[Rule], changes: History
) -> list[Finding]:
    """Every drift finding with who changed it, when and how (the engine's final pass)."""
    hints = {rule.meta.id: rule.meta.history_hints for rule in rules if rule.meta.needs_baseline}
    return [
        attribute(finding, changes, hints[finding.rule_id]) if finding.rule_id in hints else finding
        for finding in findings
    ]


NO_HISTORY = "No change record in the snapshot's history says who made this change."


def attribute(finding: Finding, history: History, hints: Sequence[str]) -> Finding:
    """The finding with who changed it, when and how, from records of its evidence."""
    changes = history.explain(finding.evidence, hints)
    if not changes:
        return dataclasses.replace(finding, message=f"{finding.message} {NO_HISTORY}")
    latest = changes[0]
    sentence = f"Changed {latest.describe()}."
    if len(changes) > 1:
        earlier = len(changes) - 1
        sentence = (
            f"Last changed {latest.describe()}; {counted(earlier, 'earlier change')} in the "
            "history."
        )
    details = {
        **finding.details,
        "changedAt": latest.timestamp,
        "changedBy": latest.changed_by or "unknown",
        "changedByType": latest.changed_by_type or "unknown",
        "clientType": latest.client_type or "unknown",
        "operation": latest.operation or "unknown",
        "changeType": latest.change_type or "unknown",
        "changedResource": latest.target_id.text,
        "history": " | ".join(_history_entry(c) for c in changes),
    }
    return dataclasses.replace(finding, message=f"{finding.message} {sentence}", details=details)


def _history_entry(change: Change) -> str:
    return f"{change.describe()} on {change.target_id}"
