"""Small estates in the exact Resource Graph row shape, for rule and graph tests.

Each function returns one raw row (or part of one) with the wire key casing of
azure-wire.md §2.8; `Estate` collects rows and turns them into a snapshot or a graph.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from auditor import snapshot
from auditor.graph.estate import EgressGraph
from auditor.snapshot import Snapshot

SUB = "00000000-0000-4000-8000-000000000001"
TENANT = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
RG = "rg-test"


def texts(ids: Any) -> tuple[str, ...]:
    """The spellings of ResourceIds (a tuple of them, or None for no ID), for comparing with
    the string IDs this module builds."""
    return tuple(i.text for i in ids)


def rid(provider_type: str, name: str, rg: str = RG, sub: str = SUB) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider_type}/{name}"


def cluster_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.ContainerService/managedClusters", name, rg, sub)


def vnet_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.Network/virtualNetworks", name, rg, sub)


def subnet_id(vnet: str, name: str, rg: str = RG, sub: str = SUB) -> str:
    return f"{vnet_id(vnet, rg, sub)}/subnets/{name}"


def nat_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.Network/natGateways", name, rg, sub)


def pip_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.Network/publicIPAddresses", name, rg, sub)


def prefix_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.Network/publicIPPrefixes", name, rg, sub)


def route_table_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.Network/routeTables", name, rg, sub)


def pool_id(cluster: str, pool: str, rg: str = RG, sub: str = SUB) -> str:
    return f"{cluster_id(cluster, rg, sub)}/agentPools/{pool}"


def _row(resource_id: str, resource_type: str, properties: dict[str, Any], **top: Any) -> dict:
    parts = [p for p in resource_id.split("/") if p]
    return {
        "id": resource_id,
        "name": parts[-1],
        "type": resource_type,
        "tenantId": TENANT,
        "subscriptionId": parts[1],
        "resourceGroup": parts[3].lower(),
        "location": "westeurope",
        "tags": top.pop("tags", {}),
        "properties": properties,
        **top,
    }


def pool(
    name: str,
    subnet: str | None = None,
    *,
    pod_subnet: str | None = None,
    mode: str = "System",
    count: int = 3,
    os_type: str = "Linux",
    zones: tuple[str, ...] = ("1", "2", "3"),
    node_public_ip: bool = False,
    node_public_ip_prefix: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "name": name,
        "mode": mode,
        "count": count,
        "vmSize": "Standard_D4s_v5",
        "osType": os_type,
        "type": "VirtualMachineScaleSets",
        "availabilityZones": list(zones),
        "enableNodePublicIP": node_public_ip,
        "powerState": {"code": "Running"},
        "provisioningState": "Succeeded",
    }
    if subnet:
        profile["vnetSubnetID"] = subnet
    if pod_subnet:
        profile["podSubnetID"] = pod_subnet
    if node_public_ip_prefix:
        profile["nodePublicIPPrefixID"] = node_public_ip_prefix
    profile.update(extra)
    return profile


def cluster(
    name: str,
    pools: list[dict[str, Any]],
    *,
    outbound_type: str = "userAssignedNATGateway",
    plugin: str = "azure",
    plugin_mode: str | None = "overlay",
    rg: str = RG,
    sub: str = SUB,
    node_resource_group: str | None = None,
    load_balancer_profile: dict[str, Any] | None = None,
    nat_gateway_profile: dict[str, Any] | None = None,
    power_state: str = "Running",
    api_server_access_profile: dict[str, Any] | None = None,
    **network: Any,
) -> dict[str, Any]:
    network_profile: dict[str, Any] = {
        "networkPlugin": plugin,
        "outboundType": outbound_type,
        "loadBalancerSku": "standard",
        "serviceCidr": "10.0.0.0/16",
        "dnsServiceIP": "10.0.0.10",
        **network,
    }
    if plugin_mode:
        network_profile["networkPluginMode"] = plugin_mode
    if load_balancer_profile is not None:
        network_profile["loadBalancerProfile"] = load_balancer_profile
    if nat_gateway_profile is not None:
        network_profile["natGatewayProfile"] = nat_gateway_profile
    properties: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "powerState": {"code": power_state},
        "kubernetesVersion": "1.33.2",
        "nodeResourceGroup": node_resource_group or f"MC_{rg}_{name}_westeurope",
        "agentPoolProfiles": pools,
        "networkProfile": network_profile,
    }
    if api_server_access_profile is not None:
        properties["apiServerAccessProfile"] = api_server_access_profile
    return _row(
        cluster_id(name, rg, sub),
        "microsoft.containerservice/managedclusters",
        properties,
        sku={"name": "Base", "tier": "Standard"},
    )


def subnet(
    name: str,
    vnet: str,
    prefix: str,
    *,
    nat: str | None = None,
    route_table: str | None = None,
    default_outbound_access: bool | None = None,
    rg: str = RG,
    sub: str = SUB,
) -> dict[str, Any]:
    properties: dict[str, Any] = {"addressPrefix": prefix, "provisioningState": "Succeeded"}
    if nat:
        properties["natGateway"] = {"id": nat}
    if route_table:
        properties["routeTable"] = {"id": route_table}
    if default_outbound_access is not None:
        properties["defaultOutboundAccess"] = default_outbound_access
    return {"name": name, "id": subnet_id(vnet, name, rg, sub), "properties": properties}


def vnet(
    name: str,
    subnets: list[dict[str, Any]],
    *,
    rg: str = RG,
    sub: str = SUB,
    peered_with: tuple[str, ...] = (),
    address_space: str = "10.0.0.0/8",
) -> dict[str, Any]:
    """`peered_with`: IDs of the virtual networks this one is peered with."""
    return _row(
        vnet_id(name, rg, sub),
        "microsoft.network/virtualnetworks",
        {
            "addressSpace": {"addressPrefixes": [address_space]},
            "subnets": subnets,
            "virtualNetworkPeerings": [
                {
                    "name": f"to-{remote.rsplit('/', 1)[-1]}",
                    "id": f"{vnet_id(name, rg, sub)}/virtualNetworkPeerings/"
                    f"to-{remote.rsplit('/', 1)[-1]}",
                    "properties": {
                        "remoteVirtualNetwork": {"id": remote},
                        "peeringState": "Connected",
                    },
                }
                for remote in peered_with
            ],
            "provisioningState": "Succeeded",
        },
    )


def nat(
    name: str,
    *,
    ips: tuple[str, ...] = (),
    prefixes: tuple[str, ...] = (),
    subnets: tuple[str, ...] | None = None,
    idle: int | None = 4,
    sku: str = "Standard",
    zones: tuple[str, ...] = (),
    rg: str = RG,
    sub: str = SUB,
    **extra_properties: Any,
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "publicIpAddresses": [{"id": i} for i in ips],
        "publicIpPrefixes": [{"id": p} for p in prefixes],
        "provisioningState": "Succeeded",
        **extra_properties,
    }
    if subnets is not None:  # None: the subnets that name it, as Azure lists them
        properties["subnets"] = [{"id": s} for s in subnets]
    if idle is not None:
        properties["idleTimeoutInMinutes"] = idle
    row = _row(
        nat_id(name, rg, sub), "microsoft.network/natgateways", properties, sku={"name": sku}
    )
    row["zones"] = list(zones)
    return row


def public_ip(
    name: str,
    address: str,
    *,
    sku: str = "Standard",
    rg: str = RG,
    sub: str = SUB,
    zones: tuple[str, ...] = (),
    **extra_properties: Any,
) -> dict[str, Any]:
    row = _row(
        pip_id(name, rg, sub),
        "microsoft.network/publicipaddresses",
        {
            "ipAddress": address,
            "publicIPAllocationMethod": "Static",
            "publicIPAddressVersion": "IPv4",
            "idleTimeoutInMinutes": 4,
            "provisioningState": "Succeeded",
            **extra_properties,
        },
        sku={"name": sku, "tier": "Regional"},
    )
    row["zones"] = list(zones)
    return row


def public_ip_prefix(
    name: str,
    cidr: str,
    *,
    sku: str = "Standard",
    rg: str = RG,
    sub: str = SUB,
    zones: tuple[str, ...] = (),
    **extra_properties: Any,
) -> dict[str, Any]:
    row = _row(
        prefix_id(name, rg, sub),
        "microsoft.network/publicipprefixes",
        {
            "ipPrefix": cidr,
            "prefixLength": int(cidr.split("/")[1]),
            "publicIPAddressVersion": "IPv6" if ":" in cidr else "IPv4",
            "provisioningState": "Succeeded",
            **extra_properties,
        },
        sku={"name": sku, "tier": "Regional"},
    )
    row["zones"] = list(zones)
    return row


def refs(*ids: str) -> list[dict[str, str]]:
    """A list of `{"id": ...}` references, the wire shape of e.g. `publicIpAddressesV6`."""
    return [{"id": i} for i in ids]


def autoscale(min_count: int, max_count: int, max_surge: str | None = None) -> dict[str, Any]:
    """Agent pool profile keys of an autoscaled pool (pass as `**b.autoscale(...)`)."""
    keys: dict[str, Any] = {
        "enableAutoScaling": True,
        "minCount": min_count,
        "maxCount": max_count,
    }
    if max_surge is not None:
        keys["upgradeSettings"] = {"maxSurge": max_surge}
    return keys


def route_table(
    name: str, routes: list[tuple[str, str, str | None]], *, rg: str = RG, sub: str = SUB
) -> dict[str, Any]:
    """`routes` are (address prefix, next hop type, next hop IP)."""
    table = route_table_id(name, rg, sub)
    return _row(
        table,
        "microsoft.network/routetables",
        {
            "routes": [
                {
                    "name": f"r{i}",
                    "id": f"{table}/routes/r{i}",
                    "properties": {
                        "addressPrefix": prefix,
                        "nextHopType": hop,
                        **({"nextHopIpAddress": ip} if ip else {}),
                    },
                }
                for i, (prefix, hop, ip) in enumerate(routes)
            ],
            "disableBgpRoutePropagation": False,
        },
    )


def load_balancer(
    name: str,
    frontends: dict[str, str],
    outbound_rules: list[tuple[str, list[str], int]],
    *,
    rg: str = RG,
    sub: str = SUB,
) -> dict[str, Any]:
    """`frontends` map a frontend name to a public IP ID; outbound rules are (name, frontend
    names, idle minutes)."""
    lb = rid("Microsoft.Network/loadBalancers", name, rg, sub)
    return _row(
        lb,
        "microsoft.network/loadbalancers",
        {
            "frontendIPConfigurations": [
                {
                    "name": fe,
                    "id": f"{lb}/frontendIPConfigurations/{fe}",
                    "properties": {"publicIPAddress": {"id": ip}},
                }
                for fe, ip in frontends.items()
            ],
            "outboundRules": [
                {
                    "name": rule,
                    "id": f"{lb}/outboundRules/{rule}",
                    "properties": {
                        "frontendIPConfigurations": [
                            {"id": f"{lb}/frontendIPConfigurations/{fe}"} for fe in names
                        ],
                        "idleTimeoutInMinutes": idle,
                        "allocatedOutboundPorts": 0,
                        "enableTcpReset": True,
                        "protocol": "All",
                    },
                }
                for rule, names, idle in outbound_rules
            ],
        },
        sku={"name": "Standard", "tier": "Regional"},
    )


def _list_nat_subnets(resources: dict[str, list[dict[str, Any]]]) -> None:
    """A NAT gateway row built without `subnets` lists the subnets that name it, as Azure
    writes both sides of the association; give `subnets` explicitly to build a half-written
    one."""
    named: dict[str, list[str]] = {}
    for vnet in resources.get("microsoft.network/virtualnetworks", []):
        for subnet in vnet.get("properties", {}).get("subnets", []) or []:
            nat = ((subnet.get("properties") or {}).get("natGateway") or {}).get("id")
            if nat and subnet.get("id"):
                named.setdefault(nat.lower(), []).append(subnet["id"])
    for nat in resources.get("microsoft.network/natgateways", []):
        properties = nat.setdefault("properties", {})
        if "subnets" not in properties:
            properties["subnets"] = [{"id": s} for s in named.get(nat["id"].lower(), [])]


@dataclass
class Estate:
    rows: list[dict[str, Any]] = field(default_factory=list)
    collected_at: str = "2026-11-20T06:00:00Z"
    changes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, *rows: dict[str, Any]) -> Estate:
        self.rows.extend(copy.deepcopy(rows))
        return self

    def document(self) -> dict[str, Any]:
        resources: dict[str, list[dict[str, Any]]] = {t: [] for t in snapshot.RESOURCE_TYPES}
        for row in self.rows:
            resources[row["type"]].append(row)
        _list_nat_subnets(resources)
        return {
            "format": snapshot.FORMAT,
            "version": snapshot.VERSION,
            "collectedAt": self.collected_at,
            "tool": {"name": "egress-audit", "version": "test"},
            "scope": {"subscriptions": sorted({r["subscriptionId"] for r in self.rows})},
            "resources": resources,
            "changes": self.changes,
            "errors": [],
        }

    def snapshot(self) -> Snapshot:
        return snapshot.parse_document(self.document(), "estate.json")

    def graph(self) -> EgressGraph:
        return EgressGraph.from_snapshot(self.snapshot())
