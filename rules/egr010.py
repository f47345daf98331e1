"""EGR010 egress-outside-allowlist: a node pool leaves from addresses the policy does not allow."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NatGateway, NodePool, PublicIpPrefix, RouteTable
from auditor.model import (
    EgressKind,
    EgressPath,
    Finding,
    ResourceKind,
    Rule,
    RuleContext,
    RuleMeta,
    Severity,
)
from auditor.policy import ClusterPolicy, Network
from auditor.result import WorkloadEgress
from auditor.workload_egress import workload_paths
from rules._egress import name_or_id
from rules._text import pool_label, source_link, urls

META = RuleMeta(
    id="EGR010",
    name="egress-outside-allowlist",
    title="Node pools leave only from the addresses the policy allows",
    severity=Severity.HIGH,
    description=(
        "A node pool's effective egress (its nodes' path, and its pods' path with a pod subnet) "
        "leaves from public IPs or prefixes outside the cluster's `allowed_egress` list, the "
        "addresses destinations such as payment providers allowlist."
    ),
    help_markdown=(
        "Static, allowlistable egress is the reason to put a NAT gateway (ideally with a public "
        f"IP prefix) in front of a cluster ({source_link('NAT-OV')}). Traffic that leaves from "
        "any other address, because of a NAT gateway missing on one subnet, node public IPs, "
        "load balancer outbound rules or a changed outbound type, is refused by destinations "
        f"that allowlist the declared addresses ({source_link('AKS-OT')}).\n\n"
        "The allowlist is `allowed_egress` (IPs and CIDRs) of every policy cluster entry that "
        "matches the cluster, taken together. A prefix counts as allowed only when it lies "
        "wholly inside an allowed network. Egress whose addresses are unknown (an unread hop, "
        "a virtual appliance, default outbound access) is reported as unknown by the egress "
        "view, not as a breach; EGR007 judges default outbound access itself."
    ),
    remediation=(
        "Give the pool's subnet the NAT gateway with the allowlisted addresses (`az network "
        "vnet subnet update -g <rg> --vnet-name <vnet> -n <subnet> --nat-gateway <NAT gateway "
        "with the allowlisted addresses>`), or add the addresses to allowed_egress and to every "
        "destination allowlist"
    ),
    sources=urls("NAT-OV", "AKS-OT"),
    tags=("security", "networking", "egress", "allowlist"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for cluster in graph.clusters():
        entries = [e for e in policy.for_cluster(cluster) if e.allowed_egress is not None]
        if not entries:
            continue
        allowed = tuple(net for entry in entries for net in entry.allowed_egress or ())
        for pool in graph.pools(cluster):
            paths = [("nodes", graph.egress(pool))]
            pod_path = graph.pod_egress(pool)
            if pod_path is not None:
                paths.append(("pods", pod_path))
            outside = {
                side: [c for c in path.addresses if not _inside(c, allowed)]
                for side, path in paths
                if path.addresses is not None  # unknown is not a breach
            }
            if any(outside.values()):
                yield _finding(graph, cluster, pool, paths, outside, allowed, entries[0])
        for workload in workload_paths(graph, policy, cluster):
            addresses = workload.egress.addresses
            breaches = [c for c in addresses or () if not _inside(c, allowed)]
            if breaches:
                yield _workload_finding(cluster, workload, breaches, allowed, entries[0])


def _workload_finding(
    cluster: Cluster,
    workload: WorkloadEgress,
    breaches: list[str],
    allowed: Sequence[Network],
    entry: ClusterPolicy,
) -> Finding:
    """Pods of a static egress gateway, or virtual nodes, leave outside the allowlist."""
    shown = ", ".join(str(n) for n in allowed)
    whose = (
        f"Pods annotated for static egress gateway {workload.name}"
        if workload.gateway
        else f"Virtual nodes of cluster {cluster.name}"
    )
    return META.finding(
        resource_id=workload.subject_id,
        message=(
            f"{whose} leave from {', '.join(breaches)}, outside the allowed egress {shown} "
            f"({workload.egress.describe()})."
        ),
        observed=", ".join(breaches),
        expected=f"only {shown}",
        evidence=(cluster.id, *workload.egress.hop_ids),
        location=entry.allowed_egress_location,
        key=f"workload:{workload.name}",
        remediation=(
            f"Add {', '.join(breaches)} to allowed_egress and to every destination allowlist, "
            "or give the workload an address inside the allowlist"
        ),
        details={"outside": ", ".join(breaches), "allowedEgress": shown},
    )


def _inside(cidr: str, allowed: Sequence[Network]) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return any(
        network.version == net.version and network.subnet_of(net)  # type: ignore[arg-type]
        for net in allowed
    )


def _finding(
    graph: EgressGraph,
    cluster: Cluster,
    pool: NodePool,
    paths: list[tuple[str, EgressPath]],
    outside: dict[str, list[str]],
    allowed: Sequence[Network],
    entry: ClusterPolicy,
) -> Finding:
    breaches = sorted({c for cidrs in outside.values() for c in cidrs})
    where = "; ".join(
        f"{'pods' if side == 'pods' else 'nodes'} through {path.describe()}"
        for side, path in paths
        if outside.get(side)
    )
    allowlist = ", ".join(str(n) for n in allowed)
    return META.finding(
        resource_id=pool.id,
        message=(
            f"{pool_label(cluster, pool)} leaves from {', '.join(breaches)}, outside the "
            f"allowed egress {allowlist} ({where})."
        ),
        observed=", ".join(breaches),
        expected=f"only {allowlist}",
        evidence=(cluster.id, pool.id, *(h for _, path in paths for h in path.hop_ids)),
        location=entry.location,
        details={
            "outside": ", ".join(breaches),
            "allowedEgress": allowlist,
            **{f"{side}Path": path.kind.slug for side, path in paths},
        },
        remediation=_remediation(graph, cluster, paths, outside, allowed),
    )


def _remediation(
    graph: EgressGraph,
    cluster: Cluster,
    paths: list[tuple[str, EgressPath]],
    outside: dict[str, list[str]],
    allowed: Sequence[Network],
) -> str:
    tail = (
        "; or, if the addresses are intended, add them to allowed_egress and to every "
        "destination allowlist"
    )
    for side, path in paths:
        if not outside.get(side):
            continue
        leaves = f"This moves the pool's egress from {', '.join(outside[side])} back to "
        table = graph.get(path.hop(ResourceKind.ROUTE_TABLE))
        if path.kind.is_appliance_route and isinstance(table, RouteTable):
            # The route sends the traffic past the subnet's own egress: the route is the change.
            rt = table.id.parts
            deletes = [
                command(
                    f"az network route-table route delete -g {rt.resource_group} "
                    f"--route-table-name {table.name} -n {route.name}"
                )
                for route in table.internet_routes()
            ]
            return (
                f"{leaves}its subnet's own egress. Remove the internet route of route table "
                f"{table.name}: {' and '.join(deletes)}{tail}"
            )
        if path.kind is not EgressKind.NAT_GATEWAY and path.subnet_id:
            subnet = path.subnet_id.parts
            holder = _allowlisted_nat(graph, cluster, allowed)
            return (
                f"{leaves}the allowlisted ones. Attach the NAT gateway that holds them: "
                + command(
                    f"az network vnet subnet update -g {subnet.resource_group} --vnet-name "
                    f"{subnet.parent} -n {subnet.name} --nat-gateway "
                    + (holder.id.text if holder else "<NAT gateway ID>")
                )
                + tail
            )
        nat = graph.get(path.device_id)
        if isinstance(nat, NatGateway):
            return leaves + _nat_fix(graph, nat, allowed) + tail
    return f"Route the pool through the allowlisted addresses{tail}"


def _nat_fix(graph: EgressGraph, nat: NatGateway, allowed: Sequence[Network]) -> str:
    """Give the pool's NAT gateway a free prefix inside the allowlist (the option replaces
    its prefix list) and take off its public IPs outside it."""
    prefix = _allowlisted_prefix(graph, nat, allowed)
    name = name_or_id(nat.resource_group, prefix.id) if prefix else "<allowlisted prefix ID>"
    strays = [
        i.parts.name
        for i in nat.public_ip_ids
        if not all(_inside(c, allowed) for c in graph.cidrs((i,))[0])
    ]
    also = f", and take off its public IPs outside the allowlist ({', '.join(strays)})"
    return (
        f"the allowlisted ones. Give NAT gateway {nat.name} the allowlisted addresses: "
        + command(
            f"az network nat gateway update -g {nat.resource_group} -n {nat.name} "
            f"--public-ip-prefixes {name}"
        )
        + (also if strays else "")
    )


def _allowlisted_nat(
    graph: EgressGraph, cluster: Cluster, allowed: Sequence[Network]
) -> NatGateway | None:
    """A NAT gateway in the cluster's region that leaves from allowlisted addresses only."""
    for nat in graph.all(NatGateway):  # by key
        cidrs, unknown = graph.cidrs((*nat.public_ip_ids, *nat.public_ip_prefix_ids))
        if (
            cidrs
            and not unknown
            and all(_inside(c, allowed) for c in cidrs)
            and _same_region(nat.location, cluster.location)
        ):
            return nat
    return None


def _allowlisted_prefix(
    graph: EgressGraph, nat: NatGateway, allowed: Sequence[Network]
) -> PublicIpPrefix | None:
    """A public IP prefix inside the allowlist, in the NAT gateway's region, on no NAT gateway
    (a prefix serves one NAT gateway at a time)."""
    taken = {i.key for other in graph.all(NatGateway) for i in other.public_ip_prefix_ids}
    return next(
        (
            prefix
            for prefix in graph.all(PublicIpPrefix)  # by key
            if prefix.ip_prefix
            and prefix.id.key not in taken
            and _inside(prefix.ip_prefix, allowed)
            and _same_region(prefix.location, nat.location)
        ),
        None,
    )


def _same_region(one: str, other: str) -> bool:
    """Unknown regions do not rule a resource out; known ones must match."""
    return not one or not other or one.replace(" ", "").lower() == other.replace(" ", "").lower()


RULE = Rule(META, check)
