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
}


def urls(*keys: str) -> tuple[str, ...]:
    return tuple(SOURCES[key] for key in keys)


def source_link(key: str) -> str:
    return f"[{key}]({SOURCES[key]})"


def pool_label(cluster: Cluster, pool: NodePool) -> str:
    return f"Node pool {pool.name} of cluster {cluster.name}"


def subnet_label(subnet: Subnet) -> str:
    return f"{arm.parse(subnet.vnet_id).name}/{subnet.name}"
