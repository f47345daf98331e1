"""Node counts and load balancer outbound addresses, as the capacity rules count them."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from auditor.arm import ResourceId
from auditor.enums import IpVersion
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NodePool, PublicIp, PublicIpPrefix
from auditor.model import ResourceKind

LB_SNAT_PORTS_PER_IP = 64_000  # [AKS-LBCFG]: 64,000 SNAT ports per load balancer frontend IP
_SURGE = re.compile(r"(\d{1,6})(%?)")
DEFAULT_SURGE_NODES = 1  # [AKS-LBCFG]: "AKS defaults to one buffer node for upgrade operations"


def node_ceiling(pool: NodePool) -> int | None:
    """The most nodes a pool can run: its autoscaler maximum, else its fixed count."""
    if pool.auto_scaling and pool.max_count is not None:
        return pool.max_count
    return pool.count


def nodes(pool: NodePool) -> int:
    """The nodes a pool can run: its autoscaler maximum, else its fixed count (0 if unset)."""
    return node_ceiling(pool) or 0


def surge_nodes(pool: NodePool, base: int, default_max_surge: str = "1") -> int:
    """Extra nodes an upgrade adds: `maxSurge` as a count ("3") or a percentage of the pool
    ("33%", rounded up, as AKS does); unset or unreadable → `default_max_surge` (the documented
    one buffer node [AKS-LBCFG] unless a rule says otherwise)."""
    for text in (pool.max_surge, default_max_surge):
        surge = _parse_surge(text, base)
        if surge is not None:
            return surge
    return 0


def valid_surge(text: str) -> bool:
    return _SURGE.fullmatch(text.strip()) is not None


def _parse_surge(text: str | None, base: int) -> int | None:
    """AKS takes maxSurge as a whole number of nodes or a whole percentage ("33%")."""
    match = _SURGE.fullmatch((text or "").strip())
    if match is None:
        return None
    number = int(match.group(1))
    return -(-number * base // 100) if match.group(2) else number


def round_up_to_8(value: int) -> int:
    """Allocated outbound ports must be a multiple of 8 [AKS-LBCFG]."""
    return -(-value // 8) * 8


def lb_outbound_ip_ids(graph: EgressGraph, cluster: Cluster) -> tuple[ResourceId, ...]:
    """The public IPs and prefixes the cluster's load balancer outbound rules use."""
    return graph.load_balancer_outbound(cluster).address_ids


def ipv4_address_count(graph: EgressGraph, ids: Iterable[ResourceId]) -> int | None:
    """How many IPv4 frontend addresses these public IPs and prefixes give; None when a
    prefix's size is unknown (not in the snapshot). A public IP counts as one address even
    unread: it can only be one."""
    total = 0
    for resource_id in ids:
        payload = graph.get(resource_id)
        if isinstance(payload, PublicIp):
            total += 0 if payload.version is IpVersion.IPV6 else 1
        elif isinstance(payload, PublicIpPrefix):
            size = _prefix_size(payload)
            if size is None:
                return None
            total += size
        elif ResourceKind.of(resource_id) is ResourceKind.PUBLIC_IP:
            total += 1
        else:
            return None
    return total


def _prefix_size(prefix: PublicIpPrefix) -> int | None:
    if prefix.version is IpVersion.IPV6:
        return 0
    if prefix.ip_prefix:
        try:
            return ipaddress.ip_network(prefix.ip_prefix, strict=False).num_addresses
        except ValueError:
            return None
    if prefix.prefix_length is not None:
        return int(2 ** (32 - prefix.prefix_length))
    return None


def node_ip_prefix(cluster: Cluster, pool: NodePool) -> tuple[str, str]:
    """A public IP prefix for the replacement of a pool with node public IPs, in the cluster's
    resource group and region, with an address for each of the pool's nodes and surge nodes
    [AKS-NODEIP]: the command that creates it and the ID it will have."""
    name = f"{pool.name}-node-ips"
    needed = max(2, nodes(pool) + surge_nodes(pool, nodes(pool)))
    length = 32 - (needed - 1).bit_length()
    location = f" -l {cluster.location}" if cluster.location else ""
    create = (
        f"az network public-ip prefix create -g {cluster.resource_group} -n {name}{location} "
        f"--length {length}"
    )
    subscription = cluster.id.parts.subscription_id
    prefix_id = (
        f"/subscriptions/{subscription}/resourceGroups/{cluster.resource_group}"
        f"/providers/Microsoft.Network/publicIPPrefixes/{name}"
    )
    return create, prefix_id
