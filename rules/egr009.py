"""EGR009 node-public-ip-egress: every node of a pool has its own public IP."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, NodePool, Subnet
from auditor.model import EgressKind, EgressPath, Finding, Rule, RuleContext, RuleMeta, Severity
from auditor.policy import Policy
from rules._egress import nodepool_command
from rules._nodes import node_ip_prefix
from rules._text import egress_change, pool_label, source_link, urls

META = RuleMeta(
    id="EGR009",
    name="node-public-ip-egress",
    title="Node pools egress through a shared, predictable path instead of per-node public IPs",
    severity=Severity.MEDIUM,
    description=(
        "A node pool gives every node its own instance-level public IP (enableNodePublicIP): "
        "nodes egress from many addresses with a fixed 4-minute idle timeout and are reachable "
        "from the internet."
    ),
    help_markdown=(
        "With `enableNodePublicIP` each node egresses through its own instance-level public IP "
        f"unless a NAT gateway or a 0.0.0.0/0 route takes precedence ({source_link('LB-OUT')}, "
        f"{source_link('AKS-NPIP')}). Its idle timeout for outbound-originated flows is fixed at "
        f"4 minutes ({source_link('PIP')}). Without `nodePublicIPPrefixID` the addresses come "
        "from no prefix and cannot be predicted or allowlisted; API server authorized IP ranges "
        f"must then include the pool's prefix ({source_link('AKS-AUTH')}).\n\n"
        "Node public IPs are set when a pool is created, so the fix is a new pool: without node "
        "public IPs behind the subnet's NAT gateway, or at least with a public IP prefix."
    ),
    remediation=(
        "Replace the pool with one in a subnet with a NAT gateway (`az aks nodepool add -g "
        "<resource group> --cluster-name <cluster> -n <new pool> --vnet-subnet-id <subnet with "
        "a NAT gateway>`), then delete it (`az aks nodepool delete -g <resource group> "
        "--cluster-name <cluster> -n <pool>`)"
    ),
    sources=urls("LB-OUT", "AKS-NPIP", "PIP", "AKS-AUTH"),
    tags=("security", "networking", "egress", "node-public-ip"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster, pool in graph.node_pools():
        if not pool.enable_node_public_ip:
            continue
        path = graph.egress(pool)
        prefix = pool.node_public_ip_prefix_id
        if path.kind is EgressKind.NODE_PUBLIC_IP:
            where = f"egresses through {path.describe()}"
        else:
            where = f"gives every node a public IP, although it egresses through {path.describe()}"
        yield META.finding(
            resource_id=pool.id,
            message=(
                f"{pool_label(cluster, pool)} {where}."
                + (
                    f" Its nodes get addresses from public IP prefix {prefix.parts.name}."
                    if prefix
                    else " No nodePublicIPPrefixID is set: the addresses are unpredictable and "
                    "cannot be allowlisted."
                )
            ),
            observed="enableNodePublicIP=true"
            + ("" if prefix else " without nodePublicIPPrefixID"),
            expected="no node public IPs; egress through a NAT gateway or firewall",
            evidence=(cluster.id, pool.id, *((prefix,) if prefix else ())),
            remediation=_remediation(graph, ctx.policy, cluster, pool, path),
        )


def _remediation(
    graph: EgressGraph, policy: Policy, cluster: Cluster, pool: NodePool, path: EgressPath
) -> str:
    target_subnet = _subnet_with_nat(graph, cluster, pool)
    add = nodepool_command("add", cluster, "<new pool>")
    delete = nodepool_command("delete", cluster, pool.name)
    if target_subnet is not None:
        subnet_arg = f" --vnet-subnet-id {target_subnet.id}"
        target = f"the NAT gateway's addresses of subnet {target_subnet.id.qualified_name()}"
    else:
        subnet_arg = " --vnet-subnet-id <subnet with a NAT gateway>"
        target = "the addresses of the new pool's subnet"
    fix = egress_change(
        policy, [cluster], f"of node pool {pool.name}: from {path.describe()} to {target}"
    ) + (f"Replace the pool: {command(add + subnet_arg)}, then {command(delete)}")
    if not pool.node_public_ip_prefix_id:
        create, prefix_id = node_ip_prefix(cluster, pool)
        subnet = graph.node_subnet(pool)
        same = f" --vnet-subnet-id {subnet.id}" if isinstance(subnet, Subnet) else ""
        fix += (
            ". If node public IPs are required, take them from a prefix: "
            f"{command(create)}, then "
            + command(f"{add}{same} --enable-node-public-ip --node-public-ip-prefix-id {prefix_id}")
        )
    return fix


def _subnet_with_nat(graph: EgressGraph, cluster: Cluster, pool: NodePool) -> Subnet | None:
    """The pool's own subnet when it has a NAT gateway, else the first node subnet of the
    cluster's other pools that has one."""
    others = (graph.node_subnet(other) for other in graph.pools(cluster) if other is not pool)
    candidates = [graph.node_subnet(pool), *sorted(others, key=lambda subnet: subnet.id.key)]
    return next(
        (
            subnet
            for subnet in candidates
            if isinstance(subnet, Subnet) and graph.subnet_nat_gateway_id(subnet)
        ),
        None,
    )


RULE = Rule(META, check)
