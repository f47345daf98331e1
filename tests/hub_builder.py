"""Rows of the enterprise egress resources (Azure Firewalls, firewall policies, virtual network
gateways, peerings that use remote gateways, AKS load balancers with load-balancing rules),
each made from the stored Azure REST example of its type (tests/data/azure-rest-examples),
with IDs and the fields under test set: the rest of the row keeps the real shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests import estate_builder as b
from tests.estate_builder import RG, SUB, TENANT, pip_id, rid, subnet_id, vnet_id

EXAMPLES = Path(__file__).parent / "data" / "azure-rest-examples"


def _body(example: str) -> dict[str, Any]:
    document = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    body: dict[str, Any] = copy.deepcopy(document["responses"]["200"]["body"])
    return body


def _as_row(body: dict[str, Any], resource_id: str) -> dict[str, Any]:
    """An ARM GET body as Resource Graph returns it: lower-case type, ARG's extra columns."""
    parts = [p for p in resource_id.split("/") if p]
    body.update(
        {
            "id": resource_id,
            "name": parts[-1],
            "type": str(body["type"]).lower(),
            "tenantId": TENANT,
            "subscriptionId": parts[1],
            "resourceGroup": parts[3].lower(),
        }
    )
    body["location"] = "westeurope"
    return body


def firewall_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.Network/azureFirewalls", name, rg, sub)


def gateway_id(name: str, rg: str = RG, sub: str = SUB) -> str:
    return rid("Microsoft.Network/virtualNetworkGateways", name, rg, sub)


def firewall(
    name: str,
    vnet: str,
    private_ip: str,
    public_ips: tuple[str, ...] = (),
    *,
    management: bool = False,
    policy: str | None = None,
    rg: str = RG,
    sub: str = SUB,
) -> dict[str, Any]:
    """A firewall in `vnet`'s AzureFirewallSubnet; `public_ips` are public IP names (the first
    IP configuration holds the subnet, further ones only a public IP, as Azure writes them)."""
    body = _body("AzureFirewallGetWithMgmtSubnet" if management else "AzureFirewallGet")
    resource_id = firewall_id(name, rg, sub)
    template = body["properties"]["ipConfigurations"][0]
    configurations = []
    for index, ip in enumerate(public_ips or (None,)):
        config = copy.deepcopy(template)
        config["name"] = f"ipconfig{index}"
        config["id"] = f"{resource_id}/ipConfigurations/ipconfig{index}"
        properties = config["properties"]
        if ip is None:
            properties.pop("publicIPAddress", None)
        else:
            properties["publicIPAddress"] = {"id": pip_id(ip, rg, sub)}
        if index == 0:
            properties["privateIPAddress"] = private_ip
            properties["subnet"] = {"id": subnet_id(vnet, "AzureFirewallSubnet", rg, sub)}
        else:
            properties.pop("privateIPAddress", None)
            properties.pop("subnet", None)
        configurations.append(config)
    body["properties"]["ipConfigurations"] = configurations
    if management:
        body["properties"]["managementIpConfiguration"]["properties"]["subnet"] = {
            "id": subnet_id(vnet, "AzureFirewallManagementSubnet", rg, sub)
        }
    if policy is not None:
        body["properties"]["firewallPolicy"] = {"id": policy}
    return _as_row(body, resource_id)


def hub_firewall(
    name: str, private_ip: str, addresses: tuple[str, ...], *, count: int | None = None
) -> dict[str, Any]:
    body = _body("AzureFirewallPutInHub")
    body["properties"]["virtualHub"] = {"id": rid("Microsoft.Network/virtualHubs", "hub-weu")}
    body["properties"]["hubIPAddresses"] = {
        "publicIPs": {
            "addresses": [{"address": a} for a in addresses],
            "count": len(addresses) if count is None else count,
        },
        "privateIPAddress": private_ip,
    }
    return _as_row(body, firewall_id(name))


def classic_rules(row: dict[str, Any], *, aks_tag: bool, network_ports: tuple[str, ...]) -> None:
    """Give a firewall row classic rules: an application rule with the AKS FQDN tag (or with
    one ordinary FQDN), and network rules to AzureCloud on `network_ports` ("UDP/1194")."""
    properties = row["properties"]
    application = copy.deepcopy(properties["applicationRuleCollections"][0])
    application["properties"]["action"] = {"type": "Allow"}
    rule = application["properties"]["rules"][0]
    if aks_tag:
        rule["fqdnTags"] = ["AzureKubernetesService"]
        rule["targetFqdns"] = []
    else:
        rule["targetFqdns"] = ["www.example.com"]
    properties["applicationRuleCollections"] = [application]
    network = copy.deepcopy(properties["networkRuleCollections"][0])
    network["properties"]["action"] = {"type": "Allow"}
    template = network["properties"]["rules"][0]
    rules = []
    for entry in network_ports:
        protocol, port = entry.split("/")
        item = copy.deepcopy(template)
        item.update(
            {
                "name": f"{protocol.lower()}-{port}",
                "protocols": [protocol],
                "destinationAddresses": ["AzureCloud.westeurope"],
                "destinationPorts": [port],
                "sourceAddresses": ["10.0.0.0/8"],
            }
        )
        rules.append(item)
    network["properties"]["rules"] = rules
    properties["networkRuleCollections"] = [network]


def firewall_policy(
    name: str, groups: tuple[str, ...] = ("DefaultNetworkRuleCollectionGroup",)
) -> dict[str, Any]:
    body = _body("FirewallPolicyGet")
    resource_id = rid("Microsoft.Network/firewallPolicies", name)
    body["properties"]["ruleCollectionGroups"] = [
        {"id": f"{resource_id}/ruleCollectionGroups/{group}"} for group in groups
    ]
    return _as_row(body, resource_id)


def gateway(
    name: str, vnet: str, *, kind: str = "Vpn", bgp: bool = False, rg: str = RG, sub: str = SUB
) -> dict[str, Any]:
    """A VPN gateway (`kind` "Vpn", BGP as given) or an ExpressRoute one, in `vnet`'s
    GatewaySubnet."""
    body = _body(
        "VirtualNetworkScalableGatewayGet" if kind == "ExpressRoute" else "VirtualNetworkGatewayGet"
    )
    resource_id = gateway_id(name, rg, sub)
    properties = body["properties"]
    properties["enableBgp"] = bgp
    for config in properties["ipConfigurations"]:
        config["properties"]["subnet"] = {"id": subnet_id(vnet, "GatewaySubnet", rg, sub)}
    return _as_row(body, resource_id)


def peering(
    remote_vnet: str,
    *,
    use_remote_gateways: bool = False,
    allow_gateway_transit: bool = False,
    rg: str = RG,
    sub: str = SUB,
) -> dict[str, Any]:
    """A peering entry of a VNet's `virtualNetworkPeerings` (the peering GET shape)."""
    body = _body("VirtualNetworkPeeringGet")
    body["name"] = f"to-{remote_vnet}"
    body["id"] = f"{vnet_id('local', rg, sub)}/virtualNetworkPeerings/to-{remote_vnet}"
    properties = body["properties"]
    properties["remoteVirtualNetwork"] = {"id": vnet_id(remote_vnet, rg, sub)}
    properties["useRemoteGateways"] = use_remote_gateways
    properties["allowGatewayTransit"] = allow_gateway_transit
    properties["peeringState"] = "Connected"
    return body


def with_peerings(vnet_row: dict[str, Any], *peerings: dict[str, Any]) -> dict[str, Any]:
    vnet_row["properties"]["virtualNetworkPeerings"] = list(peerings)
    return vnet_row


def aks_load_balancer(
    cluster: str,
    frontends: dict[str, str],
    *,
    service_rules: dict[str, str] | None = None,
    outbound: dict[str, str] | None = None,
    disable_outbound_snat: bool = False,
    sku: str = "Standard",
    rg: str = RG,
    sub: str = SUB,
) -> dict[str, Any]:
    """The `kubernetes` load balancer AKS keeps in a cluster's node resource group.
    `frontends` map a frontend name to a public IP name; `service_rules` map a load-balancing
    rule name to its frontend; `outbound` an outbound rule name to its frontend."""
    body = _body("LoadBalancerCreateWithOutboundRules")
    group = f"MC_{rg}_{cluster}_westeurope"
    lb = rid("Microsoft.Network/loadBalancers", "kubernetes", group, sub)
    properties = body["properties"]
    frontend_template = properties["frontendIPConfigurations"][0]
    properties["frontendIPConfigurations"] = []
    for name, ip in frontends.items():
        frontend = copy.deepcopy(frontend_template)
        frontend["name"] = name
        frontend["id"] = f"{lb}/frontendIPConfigurations/{name}"
        frontend["properties"]["publicIPAddress"] = {"id": pip_id(ip, group, sub)}
        properties["frontendIPConfigurations"].append(frontend)
    backend = f"{lb}/backendAddressPools/kubernetes"
    properties["backendAddressPools"][0].update({"name": "kubernetes", "id": backend})
    rule_template = properties["loadBalancingRules"][0]
    properties["loadBalancingRules"] = []
    for name, frontend_name in (service_rules or {}).items():
        rule = copy.deepcopy(rule_template)
        rule["name"] = name
        rule["id"] = f"{lb}/loadBalancingRules/{name}"
        rule["properties"]["frontendIPConfiguration"] = {
            "id": f"{lb}/frontendIPConfigurations/{frontend_name}"
        }
        rule["properties"]["backendAddressPool"] = {"id": backend}
        rule["properties"]["disableOutboundSnat"] = disable_outbound_snat
        properties["loadBalancingRules"].append(rule)
    outbound_template = properties["outboundRules"][0]
    properties["outboundRules"] = []
    for name, frontend_name in (outbound or {}).items():
        rule = copy.deepcopy(outbound_template)
        rule["name"] = name
        rule["id"] = f"{lb}/outboundRules/{name}"
        rule["properties"]["frontendIPConfigurations"] = [
            {"id": f"{lb}/frontendIPConfigurations/{frontend_name}"}
        ]
        rule["properties"]["backendAddressPool"] = {"id": backend}
        properties["outboundRules"].append(rule)
    body["sku"] = {"name": sku}
    return _as_row(body, lb)


def with_properties(cluster_row: dict[str, Any], **properties: Any) -> dict[str, Any]:
    """A managed cluster row with more top-level properties (`bootstrapProfile`,
    `addonProfiles`), spelled as the AKS API (azure-mgmt-containerservice) names them: no
    REST example carries them."""
    cluster_row["properties"].update(properties)
    return cluster_row


def virtual_nodes(subnet_name: str, *, enabled: bool = True) -> dict[str, Any]:
    """`addonProfiles` with the ACI connector, as `az aks enable-addons --addons virtual-node`
    writes it (the config key is `SubnetName`, a subnet name)."""
    return {"aciConnectorLinux": {"enabled": enabled, "config": {"SubnetName": subnet_name}}}


def every_type_estate() -> dict[str, Any]:
    """A small estate with a row of every type egress-audit reads, the enterprise ones in the
    shape of their Azure REST examples (tests/hub_builder.py)."""
    nodes = b.subnet_id("vnet", "nodes")
    routed = b.subnet_id("vnet", "routed")
    nat = b.nat_id("ng")
    classic = firewall("fw-classic", "hub", "10.100.0.5")
    classic_rules(classic, aks_tag=True, network_ports=("UDP/1194", "TCP/9000"))
    ecmp = b.route_table("ecmp", [("0.0.0.0/0", "VirtualApplianceEcmp", None)])
    ecmp["properties"]["routes"][0]["properties"]["nextHop"] = {
        "nextHopIpAddresses": ["10.100.0.4", "10.100.0.5"]
    }
    ecmp["properties"]["disableBgpRoutePropagation"] = True
    return (
        b.Estate()
        .add(
            with_peerings(
                b.vnet(
                    "vnet",
                    [
                        b.subnet("nodes", "vnet", "10.1.0.0/24", nat=nat),
                        b.subnet(
                            "routed", "vnet", "10.1.1.0/24", route_table=b.route_table_id("rt")
                        ),
                    ],
                ),
                peering("hub", use_remote_gateways=True),
            ),
            b.vnet(
                "hub",
                [
                    b.subnet("AzureFirewallSubnet", "hub", "10.100.0.0/26"),
                    b.subnet("GatewaySubnet", "hub", "10.100.1.0/27"),
                ],
                address_space="10.100.0.0/16",
            ),
            b.route_table("rt", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")]),
            ecmp,
            firewall(
                "fw",
                "hub",
                "10.100.0.4",
                ("fw-pip",),
                policy=b.rid("Microsoft.Network/firewallPolicies", "fwp"),
            ),
            classic,
            hub_firewall("fw-vwan", "10.200.0.4", ("20.0.0.9",)),
            firewall_policy("fwp"),
            gateway("er", "hub", kind="ExpressRoute"),
            gateway("vpn", "hub", bgp=True),
            b.nat("ng", ips=(b.pip_id("pip"),), subnets=(nodes,)),
            b.public_ip("pip", "20.0.0.1"),
            b.public_ip("fw-pip", "20.0.0.2"),
            aks_load_balancer("aks", {"fe": "svc"}, service_rules={"svc-TCP-443": "fe"}),
            with_properties(
                b.cluster(
                    "aks",
                    [
                        b.pool("sys", nodes),
                        b.pool("user", routed),
                        b.pool(
                            "gw",
                            nodes,
                            mode="Gateway",
                            count=2,
                            gatewayProfile={"publicIPPrefixSize": 31},
                        ),
                    ],
                    staticEgressGatewayProfile={"enabled": True},
                ),
                addonProfiles=virtual_nodes("aci"),
                bootstrapProfile={"artifactSource": "Direct"},
            ),
        )
        .document()
    )
