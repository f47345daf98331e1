"""NET002 cni-node-subnet-legacy: Azure CNI clusters use Overlay (or a pod subnet)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.enums import NetworkPlugin
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import source_link, urls

POD_CIDR = "192.168.0.0/16"  # the pod CIDR the AKS migration guide uses as its example

META = RuleMeta(
    id="NET002",
    name="cni-node-subnet-legacy",
    title="Azure CNI clusters use Overlay or a pod subnet, not the legacy node-subnet mode",
    severity=Severity.INFO,
    description=(
        "The cluster runs Azure CNI in node-subnet mode (no network plugin mode, no pod "
        "subnet): every pod takes an IP from the node subnet. Microsoft labels this mode legacy "
        "and recommends Azure CNI Overlay."
    ),
    help_markdown=(
        "Azure CNI without `networkPluginMode` and without a `podSubnetID` on any node pool is "
        "the node-subnet mode, which the AKS documentation lists as a legacy option "
        f"({source_link('AKS-LEG')}) and for which it recommends Azure CNI Overlay "
        f"({source_link('AKS-CNI')}). Pods take their IPs from the node subnet, and traffic to "
        "destinations outside the VNet leaves with the node's IP "
        f"({source_link('AKS-LEG')}); with Overlay the same holds, so egress keeps following "
        f"the node subnet ({source_link('AKS-OVL')}).\n\n"
        "The update to Overlay gives pods a private CIDR that must not overlap the VNet or the "
        "service CIDR; it is one-way, reimages every node pool at once, and needs Kubernetes "
        f"1.27 or later and no network policy engine ({source_link('AKS-UPD')})."
    ),
    remediation=(
        "az aks update -g <resource group> -n <cluster> --network-plugin azure "
        f"--network-plugin-mode overlay --pod-cidr {POD_CIDR}"
    ),
    sources=urls("AKS-LEG", "AKS-CNI", "AKS-OVL", "AKS-UPD"),
    tags=("reliability", "networking", "cni"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    for cluster in graph.clusters():
        if cluster.plugin is not NetworkPlugin.AZURE or cluster.network_plugin_mode:
            continue
        pools = graph.pools(cluster)
        if any(pool.pod_subnet_id for pool in pools):
            continue  # Azure CNI pod subnet: not the legacy node-subnet mode
        yield META.finding(
            resource_id=cluster.id,
            message=(
                f"Cluster {cluster.name} runs Azure CNI in the legacy node-subnet mode: no "
                "network plugin mode and no pod subnet on "
                + (f"any of its {len(pools)} node pools." if len(pools) != 1 else "its node pool.")
            ),
            observed="networkPlugin=azure, no networkPluginMode, no podSubnetID",
            expected="networkPluginMode=overlay (or a pod subnet per node pool)",
            evidence=(cluster.id, *(pool.id for pool in pools)),
            remediation=(
                f"az aks update -g {cluster.resource_group} -n {cluster.name} "
                f"--network-plugin azure --network-plugin-mode overlay --pod-cidr {POD_CIDR}"
            ),
        )


RULE = Rule(META, check)
