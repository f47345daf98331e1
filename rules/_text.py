"""Names and commands shared by rule messages: one spelling of each resource kind."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.graph.nodes import Cluster, NodePool, Subnet
from auditor.policy import Policy

SOURCES = {
    "NAT-OV": "https://learn.microsoft.com/azure/nat-gateway/nat-overview",
    "NAT-RES": "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource",
    "NAT-TSC": "https://learn.microsoft.com/azure/nat-gateway/troubleshoot-nat-connectivity",
    "NAT-TS": "https://learn.microsoft.com/azure/nat-gateway/troubleshoot-nat",
    "NAT-SKU": "https://learn.microsoft.com/azure/nat-gateway/nat-sku",
    "NAT-FAQ": "https://learn.microsoft.com/azure/nat-gateway/faq",
    "NAT-DES": "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-design",
    "NAT-SNAT": "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-snat",
    "NAT-AZ": "https://learn.microsoft.com/azure/nat-gateway/nat-availability-zones",
    "DOA": "https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access",
    "DOA-BLOG": "https://techcommunity.microsoft.com/t5/azure-networking-blog/private-subnets-by-default-in-azure-virtual-networks-what/ba-p/4513778",
    "UDR": "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview",
    "LB-OUT": "https://learn.microsoft.com/azure/load-balancer/load-balancer-outbound-connections",
    "FW-NAT": "https://learn.microsoft.com/azure/firewall/integrate-with-nat-gateway",
    "AKS-NAT": "https://learn.microsoft.com/azure/aks/nat-gateway",
    "AKS-OT": "https://learn.microsoft.com/azure/aks/egress-outboundtype",
    "AKS-DOA": "https://learn.microsoft.com/azure/aks/egress-outboundtype",
    "AKS-KA": "https://learn.microsoft.com/azure/aks/improve-network-fault-tolerance-in-aks-using-tcp-keepalive",
    "AKS-LBCFG": "https://learn.microsoft.com/azure/aks/configure-load-balancer-standard",
    "AKS-UDR": "https://learn.microsoft.com/azure/aks/egress-udr",
    "AKS-FQDN": "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress",
    "AKS-AUTH": "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
    "AKS-LEG": "https://learn.microsoft.com/azure/aks/concepts-network-legacy-cni",
    "AKS-PODSUB": "https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-pod-subnet",
    "AKS-NPIP": "https://learn.microsoft.com/azure/aks/use-node-public-ips",
    "AKS-ZR": "https://learn.microsoft.com/azure/aks/reliability-zone-resiliency-recommendations",
    "AKS-LARGE": "https://learn.microsoft.com/azure/aks/best-practices-performance-scale-large",
    "AKS-KUBENET": "https://learn.microsoft.com/azure/aks/configure-kubenet",
    "AKS-UPD": "https://learn.microsoft.com/azure/aks/update-azure-cni",
    "GH-4859": "https://github.com/Azure/AKS/issues/4859",
    "GH-2710": "https://github.com/Azure/AKS/issues/2710",
    "ACN-3204": "https://github.com/Azure/azure-container-networking/issues/3204",
    "PIP": "https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses",
    "AKS-LB": "https://learn.microsoft.com/azure/aks/load-balancer-standard",
    "AKS-BLB": "https://learn.microsoft.com/azure/aks/upgrade-basic-load-balancer-on-aks",
    "GH-RN": "https://github.com/Azure/AKS/blob/master/CHANGELOG.md",
    "TS-51": "https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/error-codes/vmextensionerror-k8sapiserverconnfail",
    "AKS-CNI": "https://learn.microsoft.com/azure/aks/concepts-network-cni-overview",
    "AKS-OVL": "https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay",
    "AKS-STOP": "https://learn.microsoft.com/azure/aks/start-stop-cluster",
    "SDK": "https://pypi.org/project/azure-mgmt-containerservice/",
    "AKS-FAQ": "https://learn.microsoft.com/azure/aks/faq",
    "SARIF": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html",
    "AKS-FW": "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
    "FW-FT": "https://learn.microsoft.com/azure/firewall/forced-tunneling",
    "FW-LB": "https://learn.microsoft.com/azure/firewall/integrate-lb",
    "ARG-TABLES": "https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources",
    "VPN-FT": "https://learn.microsoft.com/azure/vpn-gateway/about-site-to-site-tunneling",
    "ARS-FAQ": "https://learn.microsoft.com/azure/route-server/route-server-faq",
    "LB-OR": "https://learn.microsoft.com/azure/load-balancer/outbound-rules",
    "K8S-75281": "https://github.com/kubernetes/kubernetes/issues/75281",
    "CPA-203": "https://github.com/kubernetes-sigs/cloud-provider-azure/issues/203",
    "AKS-SEG": "https://learn.microsoft.com/azure/aks/configure-static-egress-gateway",
    "AKS-NI": "https://learn.microsoft.com/azure/aks/network-isolated",
    "AKS-NIC": "https://learn.microsoft.com/azure/aks/concepts-network-isolated",
    "AKS-VN": "https://learn.microsoft.com/azure/aks/virtual-nodes",
}


def urls(*keys: str) -> tuple[str, ...]:
    return tuple(SOURCES[key] for key in keys)


def source_link(key: str) -> str:
    return f"[{key}]({SOURCES[key]})"


def pool_label(cluster: Cluster, pool: NodePool) -> str:
    return f"Node pool {pool.name} of cluster {cluster.name}"


def pod_label(cluster: Cluster, pool: NodePool) -> str:
    return f"Pods of node pool {pool.name} of cluster {cluster.name}"


def subnet_label(subnet: Subnet) -> str:
    return f"{subnet.vnet_id.parts.name}/{subnet.name}"


def egress_change(policy: Policy, clusters: Iterable[Cluster], change: str) -> str:
    """The sentence a fix that changes egress addresses starts with: which addresses change
    (`change`, e.g. "from 20.0.0.1/32 to the new public IP's address"), and what to update
    before running it when something depends on them: the policy's allowed_egress and the
    destinations' allowlists, and the API server's authorized IP ranges."""
    clusters = list({c.id: c for c in clusters}.values())
    allowlisted = any(e.allowed_egress is not None for c in clusters for e in policy.for_cluster(c))
    ranged = [
        c.name
        for c in clusters
        if c.api_server_access is not None and c.api_server_access.authorized_ip_ranges
    ]
    first = []
    if allowlisted:
        first.append("allowed_egress in the policy and every destination allowlist")
    if ranged:
        first.append(f"the API server authorized IP ranges of {', '.join(sorted(ranged))}")
    before = f" First add the new addresses to {' and to '.join(first)}." if first else ""
    return f"This changes the egress addresses {change}.{before} "
