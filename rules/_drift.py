"""Shared wording and commands of the drift rules (DRF001–DRF006)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from auditor import arm
from auditor.drift import EstateFacts
from auditor.graph.nodes import Cluster, NodePool
from auditor.model import EgressKind, EgressPath
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
REFRESH = "egress-audit drift --baseline <baseline file> --update-baseline"
INTENDED = f"If the change was intended, refresh the baseline ({REFRESH})"

PUBLIC_IPS = "microsoft.network/publicipaddresses"
PUBLIC_IP_PREFIXES = "microsoft.network/publicipprefixes"
ROUTE_TABLES = "microsoft.network/routetables"


def both_read(before: EstateFacts, after: EstateFacts, resource_id: str) -> bool:
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


def evidence(*ids: str | None) -> tuple[str, ...]:
    """Resource IDs, once each (compared case-insensitively), in order."""
    seen: dict[str, str] = {}
    for resource_id in ids:
        if resource_id and arm.key(resource_id) not in seen:
            seen[arm.key(resource_id)] = resource_id
    return tuple(seen.values())


def same_id(a: str | None, b: str | None) -> bool:
    return (a or "") == (b or "") or (a is not None and b is not None and arm.key(a) == arm.key(b))


def subnet_name(subnet_id: str | None) -> str:
    """`vnet/subnet` for messages."""
    if not subnet_id:
        return "the AKS-managed subnet"
    parts = [p for p in subnet_id.split("/") if p]
    return "/".join(parts[-3::2]) if len(parts) >= 3 else subnet_id


def restore_path(cluster: Cluster, old: EgressPath, new: EgressPath) -> str | None:
    """An `az` command that brings back the old egress path, where one command can."""
    if new.kind in (EgressKind.UDR_APPLIANCE, EgressKind.UDR_GATEWAY, EgressKind.BLACKHOLE) and (
        old.kind not in (EgressKind.UDR_APPLIANCE, EgressKind.UDR_GATEWAY, EgressKind.BLACKHOLE)
    ):
        table = next((h for h in new.hops if arm.parse(h).resource_type == ROUTE_TABLES), None)
        if table:
            rt = arm.parse(table)
            return (
                f"az network route-table route delete -g {rt.resource_group} --route-table-name "
                f"{rt.name} -n <name of the 0.0.0.0/0 route>"
            )
    if old.kind is EgressKind.NAT_GATEWAY and old.device_id:
        if cluster.is_managed_nat:
            return None
        if not same_id(old.device_id, new.device_id) and old.subnet_id:
            subnet = arm.parse(old.subnet_id)
            vnet = subnet_name(old.subnet_id).split("/")[0]
            return (
                f"az network vnet subnet update -g {subnet.resource_group} --vnet-name {vnet} "
                f"-n {subnet.name} --nat-gateway {old.device_id}"
            )
        nat = arm.parse(old.device_id)
        ips = [h for h in old.hops if arm.parse(h).resource_type == PUBLIC_IPS]
        prefixes = [h for h in old.hops if arm.parse(h).resource_type == PUBLIC_IP_PREFIXES]
        command = f"az network nat gateway update -g {nat.resource_group} -n {nat.name}"
        if ips:
            command += " --public-ip-addresses " + " ".join(ips)
        if prefixes:
            command += " --public-ip-prefixes " + " ".join(prefixes)
        return command if ips or prefixes else None
    # Load balancer outbound IPs are mostly AKS-managed and cannot be reattached by ID.
    return None
