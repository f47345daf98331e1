"""The addresses a cluster's load balancer gives its nodes for outbound traffic: those of its
outbound rules, and the frontends of load-balancing rules that SNAT ([LB-OUT]: a
load-balancing rule without `disableOutboundSnat` lets its backend pool use the rule's
frontend IP for outbound; Kubernetes services of type LoadBalancer create such rules,
kubernetes/kubernetes#75281)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.arm import ResourceId
from auditor.graph.nodes import Cluster
from auditor.wording import first_few

if TYPE_CHECKING:
    from auditor.graph.estate import EgressGraph


@dataclass(frozen=True, slots=True)
class LoadBalancerOutbound:
    address_ids: tuple[ResourceId, ...]  # public IPs and prefixes, sorted by key
    idle_timeout_minutes: int | None
    device_id: ResourceId  # the cluster (profile) or the load balancer the addresses come from


@dataclass(frozen=True, slots=True)
class SnatFrontends:
    """Public frontends of the load-balancing rules that SNAT for a cluster's nodes."""

    balancer_id: ResourceId | None
    rule_names: tuple[str, ...] = ()
    address_ids: tuple[ResourceId, ...] = ()
    cidrs: tuple[str, ...] = ()
    unknown_ids: tuple[ResourceId, ...] = ()

    @property
    def rules_text(self) -> str:
        """The rules' names for a sentence, the first few of a long list."""
        return first_few(self.rule_names)


def load_balancer_outbound(graph: EgressGraph, cluster: Cluster) -> LoadBalancerOutbound:
    """The addresses of the cluster's load balancer outbound rules: those the cluster profile
    reports as effective, else those of the outbound rules of the `kubernetes` load balancer
    in the node resource group."""
    profile = cluster.load_balancer_profile
    ids: list[ResourceId] = []
    if profile is not None:
        ids = [*profile.effective_outbound_ip_ids, *profile.outbound_prefix_ids]
    idle = None if profile is None else profile.idle_timeout_minutes
    device = cluster.id
    balancer = graph.aks_load_balancer(cluster)
    if not ids and balancer is not None:
        device = balancer.id
        for rule in balancer.outbound_rules:
            idle = idle or rule.idle_timeout_minutes
            for frontend in rule.frontend_ids:
                address = balancer.frontend_address_id(frontend)
                if address:
                    ids.append(address)
    return LoadBalancerOutbound(tuple(sorted(set(ids))), idle, device)


def snat_frontends(graph: EgressGraph, cluster: Cluster) -> SnatFrontends:
    """Every node of the cluster sits in the `kubernetes` load balancer's backend pool
    (cloud-provider-azure adds each node unless it is labelled to be excluded), so each
    public frontend of a load-balancing rule that SNATs is an address the nodes may leave
    from."""
    balancer = graph.aks_load_balancer(cluster)
    if balancer is None:
        return SnatFrontends(None)
    names: list[str] = []
    ids: set[ResourceId] = set()
    for rule in balancer.rules:
        if rule.disable_outbound_snat or rule.frontend_id is None:
            continue
        address = balancer.frontend_address_id(rule.frontend_id)
        if address is None:  # a private frontend gives no internet address
            continue
        names.append(rule.name)
        ids.add(address)
    address_ids = tuple(sorted(ids))
    cidrs, unknown = graph.cidrs(address_ids)
    return SnatFrontends(balancer.id, tuple(sorted(names)), address_ids, cidrs, unknown)
