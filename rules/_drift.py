"""Shared wording and commands of the drift rules (DRF001–DRF006)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from auditor.arm import ResourceId
from auditor.drift import EstateFacts
from auditor.fixtext import command
from auditor.fixtext import command as command_line
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NodePool, RouteTable
from auditor.model import EgressKind, EgressPath, ResourceKind
from auditor.policy import Policy
from rules._text import pool_label

CHANGES_DOC = (
    "https://learn.microsoft.com/azure/governance/resource-graph/changes/get-resource-changes"
)
ATTRIBUTION_HELP = (
    "Each finding names who made the change, when, with which client and operation, when the "
    "snapshot's change history (Resource Graph `resourcechanges`, kept for 14 days) has a "
    f"record of one of the resources involved ([resource changes]({CHANGES_DOC}))."
)
# A command to paste cannot be printed: the rule knows neither the scope nor the sign-in the
# audit ran with, and without them `egress-audit drift` refuses to run.
REFRESH = (
    "refresh the baseline: run the same audit again with --update-baseline added (the "
    "scheduled job does so after every complete run)"
)
INTENDED = f"If the change was intended, {REFRESH}"


def both_read(before: EstateFacts, after: EstateFacts, resource_id: ResourceId) -> bool:
    """Whether both snapshots read the resource's subscription completely."""
    return before.read(resource_id) and after.read(resource_id)


def allowlisted(policy: Policy, cluster: Cluster) -> bool:
    """Whether the policy declares the addresses destinations allowlist for the cluster."""
    return any(entry.allowed_egress is not None for entry in policy.for_cluster(cluster))


def side_label(side: str, cluster: Cluster, pool: NodePool) -> str:
    label = pool_label(cluster, pool)
    return f"Pods of {label[0].lower()}{label[1:]}" if side == "pods" else label


def normalized(cidrs: Iterable[str]) -> set[str]:
    """CIDRs spelled one way, so `2001:DB8::/48` and `2001:db8::/48` are the same."""
    found = set()
    for cidr in cidrs:
        try:
            found.add(str(ipaddress.ip_network(cidr, strict=False)))
        except ValueError:
            found.add(cidr)
    return found


def ips_text(cidrs: Iterable[str]) -> str:
    return ", ".join(sorted(cidrs)) or "no public IP"


def evidence(*ids: ResourceId | None) -> tuple[ResourceId, ...]:
    """Resource IDs, once each (compared case-insensitively), in order."""
    return tuple(dict.fromkeys(i for i in ids if i is not None))


def subnet_name(subnet_id: ResourceId | None) -> str:
    """`vnet/subnet` for messages."""
    if subnet_id is None:
        return "the AKS-managed subnet"
    parts = subnet_id.parts
    return f"{parts.parent}/{parts.name}" if parts.parent else subnet_id.text


def restore_path(
    graph: EgressGraph, cluster: Cluster, old: EgressPath, new: EgressPath
) -> str | None:
    """The fix that brings back the old egress path, where commands can: `graph` is the
    current estate's, where the new path's route table is read."""
    if new.kind.is_routed and not old.kind.is_routed:
        table = graph.get(new.hop(ResourceKind.ROUTE_TABLE))
        if isinstance(table, RouteTable) and table.internet_routes():
            rt = table.id.parts
            return " && ".join(
                command(
                    f"az network route-table route delete -g {rt.resource_group} "
                    f"--route-table-name {table.name} -n {route.name}"
                )
                for route in table.internet_routes()
            )
    if old.kind is EgressKind.NAT_GATEWAY and old.device_id:
        if cluster.is_managed_nat:
            return None
        if old.device_id != new.device_id and old.subnet_id:
            subnet = old.subnet_id.parts
            return command(
                f"az network vnet subnet update -g {subnet.resource_group} --vnet-name "
                f"{subnet.parent} -n {subnet.name} --nat-gateway {old.device_id}"
            )
        nat = old.device_id.parts
        ips = [h.id.text for h in old.hops if h.kind is ResourceKind.PUBLIC_IP and h.id]
        prefixes = [h.id.text for h in old.hops if h.kind is ResourceKind.PUBLIC_IP_PREFIX and h.id]
        restore = f"az network nat gateway update -g {nat.resource_group} -n {nat.name}"
        if ips:
            restore += " --public-ip-addresses " + " ".join(ips)
        if prefixes:
            restore += " --public-ip-prefixes " + " ".join(prefixes)
        return command_line(restore) if ips or prefixes else None
    # Load balancer outbound IPs are mostly AKS-managed and cannot be reattached by ID.
    return None
