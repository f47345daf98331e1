"""API001 authorized-ranges-miss-egress-ip: API server authorized ranges cover the egress IPs."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from auditor.arm import ResourceId
from auditor.fixtext import command
from auditor.graph.nodes import Cluster, NodePool
from auditor.model import EgressKind, EgressPath, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import nodepool_command
from rules._nodes import node_ip_prefix
from rules._text import pool_label, source_link, urls

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# [AKS-AUTH]: "0.0.0.0/32" in the ranges allows the load balancer's outbound IPs.
LB_OUTBOUND_MARKER = ipaddress.ip_network("0.0.0.0/32")

META = RuleMeta(
    id="API001",
    name="authorized-ranges-miss-egress-ip",
    title="API server authorized IP ranges include every egress IP of the cluster's node pools",
    severity=Severity.HIGH,
    description=(
        "The cluster restricts its public API server to authorized IP ranges, but a node pool "
        "egresses from a public IP outside them: its nodes cannot reach the API server, and "
        "new nodes fail to provision."
    ),
    help_markdown=(
        "With authorized IP ranges, the API server accepts only the listed ranges; AKS asks to "
        "include the cluster's egress IP — firewall, NAT gateway or load balancer, whatever "
        f"the outbound type gives ({source_link('AKS-AUTH')}). In a cluster that is neither "
        "private nor API-server-VNet-integrated, node → API server traffic leaves through "
        f"the outbound path ({source_link('AKS-OT')}), so a pool whose egress IP is not "
        "covered loses the API server and its new nodes fail with `K8SAPIServerConnFail` "
        f"({source_link('TS-51')}). Changing the outbound type or the NAT gateway's IPs "
        "changes the egress IP: add the new range first.\n\n"
        "egress-audit checks the real egress of every node pool (and of its pod subnet) "
        "against the ranges; a pool whose egress addresses are unknown (a virtual appliance, "
        "default outbound access, an unread public IP) is not judged. `0.0.0.0/32` in the "
        "ranges stands for the load balancer's outbound IPs ([AKS-AUTH]).\n\n"
        "A pool that egresses through node public IPs from no public IP prefix is reported "
        "apart (key `node-public-ips`): AKS requires every such pool to use a prefix that is "
        f"in the authorized ranges ({source_link('AKS-NPIP')}, {source_link('AKS-AUTH')}), "
        "because per-node addresses from no prefix cannot be covered by any range."
    ),
    remediation=(
        "az aks update -g <resource group> -n <cluster> --api-server-authorized-ip-ranges "
        "<current ranges>,<egress CIDR>"
    ),
    sources=urls("AKS-AUTH", "AKS-OT", "TS-51", "AKS-NPIP"),
    tags=("security", "reliability", "networking", "egress", "api-server"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        access = cluster.api_server_access
        if access is None or access.private_cluster or access.vnet_integration:
            continue
        ranges = _networks(access.authorized_ip_ranges)
        if not ranges:
            continue  # no restriction (or none readable): every source is allowed
        uncovered: dict[str, list[str]] = {}
        hops: list[ResourceId] = []
        for pool in graph.pools(cluster):
            if _unpredictable(graph.egress(pool)):
                yield _from_no_prefix(cluster, pool, access.authorized_ip_ranges)
            for side, path in (("nodes", graph.egress(pool)), ("pods", graph.pod_egress(pool))):
                for cidr in _uncovered(path, ranges):
                    uncovered.setdefault(cidr, []).append(f"{pool.name} ({side})")
                    hops.extend(h for h in (path.hop_ids if path else ()) if h not in hops)
        if not uncovered:
            continue
        missing = sorted(uncovered, key=_sort_key)
        where = "; ".join(f"{cidr} from {', '.join(uncovered[cidr])}" for cidr in missing)
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} allows its API server only from "
                f"{', '.join(access.authorized_ip_ranges)}, but its node pools egress from "
                f"{', '.join(missing)} outside those ranges: {where}."
            ),
            observed=f"egress {', '.join(missing)} not in authorizedIPRanges",
            expected="every egress IP of the cluster inside authorizedIPRanges",
            evidence=(cluster.id, *hops),
            remediation=_remediation(cluster, access.authorized_ip_ranges, missing),
            details={"uncoveredEgress": ", ".join(missing)},
        )


def _unpredictable(path: EgressPath) -> bool:
    """Node public IPs from no prefix: the addresses are no range's to cover."""
    return path.kind is EgressKind.NODE_PUBLIC_IP and path.device_id is None


def _from_no_prefix(cluster: Cluster, pool: NodePool, ranges: tuple[str, ...]) -> Finding:
    return META.finding(
        resource_id=pool.id,
        message=(
            f"{pool_label(cluster, pool)} gives every node its own public IP from no public IP "
            f"prefix, and its nodes reach the API server of cluster {cluster.name} from those "
            "addresses: no authorized IP range can cover them, so nodes can lose the API "
            "server and new nodes can fail to provision."
        ),
        observed="enableNodePublicIP true without nodePublicIPPrefixID",
        expected="node public IPs from a public IP prefix inside authorizedIPRanges",
        evidence=(cluster.id, pool.id),
        key="node-public-ips",
        remediation=_prefix_remediation(cluster, pool, ranges),
    )


def _prefix_remediation(cluster: Cluster, pool: NodePool, ranges: tuple[str, ...]) -> str:
    """Create a prefix, allow it, then move the pool onto it. Azure allocates the prefix's
    addresses when it is created, so its CIDR is the one value the fix cannot give."""
    create, prefix_id = node_ip_prefix(cluster, pool)
    allowed = ",".join([*ranges, "<prefix CIDR>"])
    update = f"az aks update -g {cluster.resource_group} -n {cluster.name}"
    add = nodepool_command("add", cluster, "<new pool>") + " --enable-node-public-ip"
    return (
        f"Create a public IP prefix ({command(create)}), add its CIDR to the authorized ranges "
        f"({command(f'{update} --api-server-authorized-ip-ranges {allowed}')}), then replace "
        "the pool with one that uses it "
        f"({command(f'{add} --node-public-ip-prefix-id {prefix_id}')}) and delete this one "
        f"({command(nodepool_command('delete', cluster, pool.name))})"
    )


def _uncovered(path: EgressPath | None, ranges: list[Network]) -> list[str]:
    addresses = None if path is None else path.addresses
    if path is None or addresses is None:
        return []  # unknown addresses are not judged
    # The marker stands for the outbound rules' IPs, not for load-balancing rule frontends.
    lb_allowed = path.kind is EgressKind.LOAD_BALANCER and LB_OUTBOUND_MARKER in ranges
    found = []
    for cidr in addresses:
        if lb_allowed and cidr not in path.may_leave_from:
            continue
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if any(_within(network, r) for r in ranges):
            continue
        found.append(cidr)
    return found


def _within(network: Network, allowed: Network) -> bool:
    if network.version != allowed.version:
        return False
    return network.subnet_of(allowed)  # type: ignore[arg-type]  # same version checked above


def _networks(ranges: tuple[str, ...]) -> list[Network]:
    parsed = []
    for text in ranges:
        try:
            parsed.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            continue  # an unreadable range allows nothing we can reason about
    return parsed


def _sort_key(cidr: str) -> tuple[int, int, int]:
    network = ipaddress.ip_network(cidr, strict=False)
    return network.version, int(network.network_address), network.prefixlen


def _remediation(cluster: Cluster, current: tuple[str, ...], missing: list[str]) -> str:
    ranges = ",".join([*current, *(m for m in missing if m not in current)])
    return (
        f"az aks update -g {cluster.resource_group} -n {cluster.name} "
        f"--api-server-authorized-ip-ranges {ranges}"
    )


RULE = Rule(META, check)
