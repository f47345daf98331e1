"""Names and commands shared by rule messages: one spelling of each resource kind."""

from __future__ import annotations

from auditor import arm
from auditor.graph.nodes import Cluster, NodePool, Subnet

SOURCES = {
    "NAT-OV": "https://learn.microsoft.com/azure/nat-gateway/nat-overview",
    "NAT-RES": "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource",
    "NAT-TSC": "https://learn.microsoft.com/azure/nat-gateway/troubleshoot-nat-connectivity",
    "AKS-NAT": "https://learn.microsoft.com/azure/aks/nat-gateway",
    "AKS-OT": "https://learn.microsoft.com/azure/aks/egress-outboundtype",
    "AKS-DOA": "https://learn.microsoft.com/azure/aks/egress-outboundtype",
    "AKS-KA": "https://learn.microsoft.com/azure/aks/improve-network-fault-tolerance-in-aks-using-tcp-keepalive",
    "AKS-LBCFG": "https://learn.microsoft.com/azure/aks/configure-load-balancer-standard",
    "AKS-KUBENET": "https://learn.microsoft.com/azure/aks/configure-kubenet",
    "AKS-UPD": "https://learn.microsoft.com/azure/aks/update-azure-cni",
    "GH-4859": "https://github.com/Azure/AKS/issues/4859",
    "PIP": "https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses",
    "LB-OUT": "https://learn.microsoft.com/azure/load-balancer/load-balancer-outbound-connections",
    "AKS-LB": "https://learn.microsoft.com/azure/aks/load-balancer-standard",
    "AKS-BLB": "https://learn.microsoft.com/azure/aks/upgrade-basic-load-balancer-on-aks",
    "GH-RN": "https://github.com/Azure/AKS/blob/master/CHANGELOG.md",
    "AKS-AUTH": "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
    "TS-51": "https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/error-codes/vmextensionerror-k8sapiserverconnfail",
    "AKS-CNI": "https://learn.microsoft.com/azure/aks/concepts-network-cni-overview",
    "AKS-LEG": "https://learn.microsoft.com/azure/aks/concepts-network-legacy-cni",
    "AKS-OVL": "https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay",
    "AKS-STOP": "https://learn.microsoft.com/azure/aks/start-stop-cluster",
    "SDK": "https://pypi.org/project/azure-mgmt-containerservice/",
    "SARIF": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html",
}


def urls(*keys: str) -> tuple[str, ...]:
    return tuple(SOURCES[key] for key in keys)


def source_link(key: str) -> str:
    return f"[{key}]({SOURCES[key]})"


def pool_label(cluster: Cluster, pool: NodePool) -> str:
    return f"Node pool {pool.name} of cluster {cluster.name}"


def subnet_label(subnet: Subnet) -> str:
    return f"{arm.parse(subnet.vnet_id).name}/{subnet.name}"
