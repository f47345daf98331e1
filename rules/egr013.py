"""EGR013 virtual-node-egress-differs: virtual nodes leave another way than the cluster."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import Cluster, Subnet
from auditor.model import EgressKind, EgressPath, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._egress import explicit_egress_fix
from rules._text import source_link, subnet_label, urls

# The methods a cluster's node egress can be built on; virtual nodes must share them.
EXPLICIT = frozenset(
    {
        EgressKind.NAT_GATEWAY,
        EgressKind.AZURE_FIREWALL,
        EgressKind.UDR_APPLIANCE,
        EgressKind.UDR_GATEWAY,
        EgressKind.LOAD_BALANCER,
    }
)

META = RuleMeta(
    id="EGR013",
    name="virtual-node-egress-differs",
    title="Virtual nodes leave through the cluster's egress method",
    severity=Severity.MEDIUM,
    description=(
        "The cluster runs virtual nodes (the ACI connector) in a subnet of their own whose "
        "egress differs from the node pools': pods scheduled there leave from other addresses, "
        "or through default outbound access, past the allowlists and the firewall."
    ),
    help_markdown=(
        "Virtual nodes run pods as Azure Container Instances in a delegated subnet of the "
        f"cluster's virtual network ({source_link('AKS-VN')}). Container groups are not "
        "behind the cluster's load balancer: their internet traffic follows their own "
        "subnet's NAT gateway, route table or default outbound access. A cluster whose nodes "
        "leave through a NAT gateway or a firewall and whose virtual-node subnet has neither "
        "sends the pods scheduled there another way.\n\n"
        "The subnet is `addonProfiles.aciConnectorLinux.config.SubnetName`, looked up in the "
        "virtual network of the node subnets; a subnet not in the snapshot leaves the path "
        "unknown, which the egress view shows, and is not judged."
    ),
    remediation=(
        "Give the virtual-node subnet the cluster's egress (`az network vnet subnet update -g "
        "<vnet resource group> --vnet-name <vnet> -n <virtual-node subnet> --nat-gateway "
        "<NAT gateway ID>`, or the route table of the node subnets)"
    ),
    sources=urls("AKS-VN", "DOA"),
    tags=("security", "networking", "egress", "virtual-nodes"),
    precision="high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        virtual = graph.virtual_node_egress(cluster)
        if virtual is None or virtual.is_unknown:
            continue
        # A known path was resolved for the virtual-node subnet, read from the snapshot.
        subnet = graph.get(virtual.subnet_id)
        if not isinstance(subnet, Subnet):
            continue
        node = _node_egress(graph, cluster)
        if node is None or node.kind not in EXPLICIT or _same(node, virtual):
            continue
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Virtual nodes of cluster {cluster.name} run in subnet {subnet_label(subnet)}, "
                f"which leaves through {virtual.describe()}, while its node pools leave "
                f"through {node.describe()}."
            ),
            observed=virtual.describe(),
            expected=node.describe(),
            evidence=(cluster.id, subnet.id, *virtual.hop_ids, *node.hop_ids),
            key="virtual-nodes",
            remediation=explicit_egress_fix(graph, ctx.policy, cluster, subnet, virtual),
        )


def _node_egress(graph: EgressGraph, cluster: Cluster) -> EgressPath | None:
    """The path the cluster's pools share; None when they do not agree or none is known."""
    paths = [graph.egress(pool) for pool in graph.pools(cluster) if not pool.is_gateway]
    known = [p for p in paths if not p.is_unknown]
    if not known or any(not _same(known[0], other) for other in known[1:]):
        return None
    return known[0]


def _same(one: EgressPath, other: EgressPath) -> bool:
    return (one.kind, one.device_id, one.addresses) == (
        other.kind,
        other.device_id,
        other.addresses,
    )


RULE = Rule(META, check)
