"""The NAT gateway AKS manages for a `managedNATGateway` cluster, and the idle timeout Azure
enforces on it.

AKS creates the managed NAT gateway in the cluster's node resource group and sets it from
`networkProfile.natGatewayProfile` ([AKS-NAT]). The two can disagree — the gateway edited in
place, or a profile update not yet applied — and then the gateway's own value is what Azure
enforces on the traffic; the profile is what AKS will set again on its next update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.graph import defaults
from auditor.graph.nodes import Cluster, NatGateway

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph


@dataclass(frozen=True, slots=True)
class ManagedNatTimeout:
    minutes: int  # enforced: the managed gateway's own value when read, else the profile's
    declared: int | None  # natGatewayProfile.idleTimeoutInMinutes, None when unset
    gateways: tuple[NatGateway, ...]  # the managed NAT gateways read

    @property
    def declared_minutes(self) -> int:
        return defaults.NAT_IDLE_MINUTES if self.declared is None else self.declared

    @property
    def mismatch(self) -> bool:
        """The gateway enforces another timeout than the cluster's profile declares."""
        return bool(self.gateways) and self.minutes != self.declared_minutes


def managed_nat_timeout(graph: EgressGraph, cluster: Cluster) -> ManagedNatTimeout:
    profile = cluster.nat_gateway_profile
    declared = None if profile is None else profile.idle_timeout_minutes
    gateways = tuple(graph.managed_nat_gateways(cluster))
    if gateways:
        minutes = max(n.idle_timeout_minutes or defaults.NAT_IDLE_MINUTES for n in gateways)
    else:
        minutes = defaults.NAT_IDLE_MINUTES if declared is None else declared
    return ManagedNatTimeout(minutes, declared, gateways)
