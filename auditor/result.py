"""What reporters receive: one audit's findings and the egress view of every cluster."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.arm import ResourceId
from auditor.enums import AgentPoolMode, OsType, PowerState
from auditor.frozen import frozen
from auditor.model import CollectionError, EgressPath, Finding, RuleError, RuleMeta, Severity


@frozen
class PoolEgress:
    id: ResourceId
    name: str
    mode: AgentPoolMode | None
    os_type: OsType | None
    count: int | None
    power_state: PowerState | None
    node_subnet_id: ResourceId | None
    egress: EgressPath
    pod_subnet_id: ResourceId | None = None
    pod_egress: EgressPath | None = None


@frozen
class WorkloadEgress:
    """Traffic of a cluster that does not leave by its node pools' paths: pods annotated for a
    static egress gateway pool, and virtual nodes (ACI) in their own subnet."""

    label: str  # "virtual nodes", "static egress gateway gw (payments/partner-egress)"
    name: str  # the gateway pool (and its configuration), or the cluster of virtual nodes
    subject_id: ResourceId  # the gateway pool, or the cluster
    egress: EgressPath
    gateway: bool  # pods of a static egress gateway; else virtual nodes

    @property
    def subnet_id(self) -> ResourceId | None:
        return self.egress.subnet_id


@frozen
class ClusterEgress:
    id: ResourceId
    name: str
    subscription_id: str
    resource_group: str
    location: str
    outbound_type: str | None
    network_plugin: str | None
    network_plugin_mode: str | None
    power_state: PowerState | None
    pools: tuple[PoolEgress, ...]
    workloads: tuple[WorkloadEgress, ...] = ()

    @property
    def egress_ips(self) -> tuple[str, ...]:
        """Every known public IP/prefix the cluster's pools (and pod subnets) leave from."""
        paths = [p for pool in self.pools for p in (pool.egress, pool.pod_egress)]
        paths.extend(w.egress for w in self.workloads)
        found = {
            cidr for path in paths if path is not None and path.addresses for cidr in path.addresses
        }
        return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class AuditResult:
    tool_version: str
    source: str
    collected_at: str
    scope: Mapping[str, Any]
    clusters: tuple[ClusterEgress, ...]
    rules: tuple[RuleMeta, ...]
    findings: tuple[Finding, ...]
    rule_errors: tuple[RuleError, ...] = ()
    collection_errors: tuple[CollectionError, ...] = ()
    warnings: tuple[str, ...] = ()
    unknown_ids: tuple[ResourceId, ...] = ()
    baseline: str | None = None  # the baseline snapshot drift was measured against, if any

    @property
    def active_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppression is None)

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """Every subscription the audit covered or tried to, lower-cased and sorted."""
        found = {c.subscription_id.lower() for c in self.clusters}
        found.update(f.resource_id.parts.subscription_id.lower() for f in self.findings)
        found.update(str(s).lower() for s in self.scope.get("subscriptions", []) or [])
        for error in self.collection_errors:
            found.update(s.lower() for s in error.subscriptions)
        found.discard("")
        return tuple(sorted(found))

    @property
    def is_partial(self) -> bool:
        return bool(self.collection_errors or self.rule_errors)

    def worst_active_severity(self) -> Severity | None:
        active = self.active_findings
        return max((f.severity for f in active), key=lambda s: s.rank) if active else None
