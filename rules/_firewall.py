"""Which node pools egress through each Azure Firewall, for the FW rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, Firewall, NodePool, Subnet
from auditor.model import EgressKind, EgressPath, ResourceKind


@dataclass
class FirewallUse:
    firewall: Firewall
    pools: list[tuple[Cluster, NodePool, EgressPath]] = field(default_factory=list)
    subnets: dict[str, Subnet] = field(default_factory=dict)  # the pools' subnets, by key

    @property
    def clusters(self) -> list[Cluster]:
        return list({cluster.id.key: cluster for cluster, _, _ in self.pools}.values())

    def pool_names(self) -> str:
        return ", ".join(sorted({f"{c.name}/{p.name}" for c, p, _ in self.pools}))

    @property
    def behind_nat(self) -> bool:
        """The firewall's subnet leaves through a NAT gateway [FW-NAT]."""
        return any(path.hop(ResourceKind.NAT_GATEWAY) is not None for _, _, path in self.pools)


def firewall_uses(graph: EgressGraph) -> list[FirewallUse]:
    """Every firewall some node pool (nodes or pods) leaves through, by firewall ID."""
    found: dict[str, FirewallUse] = {}
    for cluster, pool in graph.node_pools():
        for path in (graph.egress(pool), graph.pod_egress(pool)):
            if path is None or path.kind is not EgressKind.AZURE_FIREWALL:
                continue
            firewall = graph.get(path.device_id)
            if not isinstance(firewall, Firewall):
                continue
            use = found.setdefault(firewall.id.key, FirewallUse(firewall))
            if (cluster, pool, path) not in use.pools:
                use.pools.append((cluster, pool, path))
            subnet = graph.get(path.subnet_id)
            if isinstance(subnet, Subnet):
                use.subnets[subnet.id.key] = subnet
    return [found[key] for key in sorted(found)]
