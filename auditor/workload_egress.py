"""Traffic of a cluster that does not leave by its node pools' paths: pods annotated for a
static egress gateway (one path per StaticGatewayConfiguration the policy's manifests hold for
the pool, else one for the pool) and virtual nodes."""

from __future__ import annotations

from auditor.arm import ResourceId
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster
from auditor.model import EgressKind, EgressPath
from auditor.policy import Policy
from auditor.result import WorkloadEgress


def workload_paths(
    graph: EgressGraph, policy: Policy, cluster: Cluster
) -> tuple[WorkloadEgress, ...]:
    found: list[WorkloadEgress] = []
    configs = policy.gateway_configs(cluster)
    gateways = {pool.name.lower(): pool for pool in graph.pools(cluster) if pool.is_gateway}
    for pool in gateways.values():
        mine = [c for c in configs if c.pool.lower() == pool.name.lower()]
        if not mine:
            path = graph.gateway_egress(pool)
            found.append(_gateway(pool.name, pool.id, path))
        for config in mine:
            path = graph.gateway_egress(
                pool,
                prefix_id=None if config.prefix_id is None else ResourceId.of(config.prefix_id),
                public=config.public,
            )
            found.append(_gateway(f"{pool.name} ({config.namespace}/{config.name})", pool.id, path))
    for config in configs:
        if config.pool.lower() not in gateways:
            where = f"{config.location.path}:{config.location.line}"
            path = EgressPath(
                EgressKind.UNKNOWN,
                None,
                reason=(
                    f"StaticGatewayConfiguration {config.namespace}/{config.name} ({where}) names "
                    f"gateway pool {config.pool}, and cluster {cluster.name} has no gateway pool "
                    "of that name"
                ),
            )
            found.append(
                _gateway(f"{config.pool} ({config.namespace}/{config.name})", cluster.id, path)
            )
    virtual = graph.virtual_node_egress(cluster)
    if virtual is not None:
        found.append(
            WorkloadEgress("virtual nodes", cluster.name, cluster.id, virtual, gateway=False)
        )
    return tuple(found)


def _gateway(name: str, subject: ResourceId, path: EgressPath) -> WorkloadEgress:
    return WorkloadEgress(f"static egress gateway {name}", name, subject, path, gateway=True)
