"""EGR001 nodepool-subnet-missing-nat: NAT outbound needs a NAT gateway on every pool subnet."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command
from auditor.graph.nodes import Subnet
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import egress_change, pool_label, source_link, subnet_label, urls

META = RuleMeta(
    id="EGR001",
    name="nodepool-subnet-missing-nat",
    title="Every node pool of a NAT-gateway cluster sits in a subnet with a NAT gateway",
    severity=Severity.HIGH,
    description=(
        "The cluster's outbound type says its egress is a NAT gateway, but a node pool's subnet "
        "has none, so that pool's traffic leaves by another path and from other IPs."
    ),
    help_markdown=(
        "A NAT gateway is attached per subnet, not per cluster or VNet "
        f"({source_link('NAT-OV')}). With `userAssignedNATGateway` the NAT gateway must be on "
        f"the cluster's subnet ({source_link('AKS-NAT')}); a pool added later in another subnet "
        "of the same VNet falls through to its instance-level public IPs, load balancer, "
        f"default outbound access, or no egress at all ({source_link('AKS-DOA')}). Destinations "
        "that allowlist the NAT gateway's IPs then refuse that pool's traffic.\n\n"
        "Severity is critical when the subnet is private (`defaultOutboundAccess: false`): the "
        "pool has no egress at all."
    ),
    remediation=(
        "az network vnet subnet update -g <vnet resource group> --vnet-name <vnet> "
        "-n <subnet> --nat-gateway <NAT gateway ID>"
    ),
    sources=urls("NAT-OV", "AKS-NAT", "AKS-DOA"),
    tags=("security", "networking", "egress", "nat-gateway"),
    precision="very-high",
    other_severities="critical when the subnet is private (defaultOutboundAccess false)",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if not cluster.is_nat_outbound:
            continue
        pools = graph.pools(cluster)
        subnets = {pool.id: graph.node_subnet(pool) for pool in pools}
        nat_ids = sorted(
            {
                nat_id
                for subnet in subnets.values()
                if isinstance(subnet, Subnet) and (nat_id := graph.subnet_nat_gateway_id(subnet))
            }
        )
        for pool in pools:
            subnet = subnets[pool.id]
            # An unread subnet, or one whose records of the NAT association disagree, is
            # unknown, not missing: its egress path reports it.
            if not isinstance(subnet, Subnet):
                continue
            association = graph.nat_association(subnet)
            if association.nat_id or association.is_unknown:
                continue
            private = subnet.default_outbound_access is False
            vnet = subnet.vnet_id.parts
            nat = nat_ids[0].text if nat_ids else "<NAT gateway ID>"
            yield META.finding(
                severity=Severity.CRITICAL if private else META.severity,
                resource_id=pool.id,
                message=(
                    f"{pool_label(cluster, pool)} sits in subnet {subnet_label(subnet)}, which has "
                    f"no NAT gateway, although the cluster's outbound type is "
                    f"{cluster.outbound_type}. Its traffic leaves through "
                    f"{graph.egress(pool).describe()}."
                ),
                observed=f"subnet {subnet.id} has no NAT gateway",
                expected="a NAT gateway on every node pool subnet",
                evidence=(cluster.id, pool.id, subnet.id),
                remediation=egress_change(
                    ctx.policy,
                    [cluster],
                    f"of node pool {pool.name}: from {graph.egress(pool).describe()} to the "
                    + (
                        f"NAT gateway {nat_ids[0].name}'s addresses"
                        if nat_ids
                        else "NAT gateway's addresses"
                    ),
                )
                + command(
                    f"az network vnet subnet update -g {vnet.resource_group} "
                    f"--vnet-name {vnet.name} -n {subnet.name} --nat-gateway {nat}"
                ),
            )


RULE = Rule(META, check)
