"""The shapes of the rows of Azure Firewalls, firewall policies and virtual network gateways
as the graph reads them (see auditor/graph/shapes.py); auditor/graph/hub_rows.py makes
payloads of them. Field names follow the Azure REST API (tests/data/azure-rest-examples)."""

from __future__ import annotations

from auditor.graph.shapes import Integer, OptRef, Refs, Row, Shape, Sku, Strings


class FirewallIpConfigurationProperties(Shape):
    privateIPAddress: str | None = None
    subnet: OptRef | None = None
    publicIPAddress: OptRef | None = None


class FirewallIpConfiguration(Shape):
    properties: FirewallIpConfigurationProperties | None = None


class HubAddress(Shape):
    address: str | None = None


class HubPublicIps(Shape):
    addresses: tuple[HubAddress, ...] | None = None
    count: Integer | None = None


class HubIpAddresses(Shape):
    privateIPAddress: str | None = None
    publicIPs: HubPublicIps | None = None


class NetworkRule(Shape):
    protocols: Strings = None
    destinationAddresses: Strings = None
    destinationFqdns: Strings = None
    destinationIpGroups: Strings = None
    destinationPorts: Strings = None


class ApplicationProtocol(Shape):
    protocolType: str | None = None
    port: Integer | None = None


class ApplicationRule(Shape):
    protocols: tuple[ApplicationProtocol, ...] | None = None
    targetFqdns: Strings = None
    fqdnTags: Strings = None


class RuleAction(Shape):
    type: str | None = None


class NetworkRuleCollectionProperties(Shape):
    # `{"type": "Allow"}`, or a bare "Allow" in older rows
    action: RuleAction | str | None = None
    rules: tuple[NetworkRule, ...] | None = None


class ApplicationRuleCollectionProperties(Shape):
    action: RuleAction | str | None = None
    rules: tuple[ApplicationRule, ...] | None = None


class NetworkRuleCollection(Shape):
    properties: NetworkRuleCollectionProperties | None = None


class ApplicationRuleCollection(Shape):
    properties: ApplicationRuleCollectionProperties | None = None


class Present(Shape):
    """An object whose presence is all that is read."""


class FirewallProperties(Shape):
    sku: Sku | None = None
    ipConfigurations: tuple[FirewallIpConfiguration, ...] | None = None
    virtualHub: OptRef | None = None
    hubIPAddresses: HubIpAddresses | None = None
    firewallPolicy: OptRef | None = None
    networkRuleCollections: tuple[NetworkRuleCollection, ...] | None = None
    applicationRuleCollections: tuple[ApplicationRuleCollection, ...] | None = None
    # Only whether there is one is read: its contents are skipped unread.
    managementIpConfiguration: Present | None = None


class FirewallRow(Row):
    zones: Strings = None
    properties: FirewallProperties | None = None


class FirewallPolicyProperties(Shape):
    basePolicy: OptRef | None = None
    ruleCollectionGroups: Refs = None


class FirewallPolicyRow(Row):
    properties: FirewallPolicyProperties | None = None


class GatewayIpConfigurationProperties(Shape):
    subnet: OptRef | None = None


class GatewayIpConfiguration(Shape):
    properties: GatewayIpConfigurationProperties | None = None


class VirtualNetworkGatewayProperties(Shape):
    gatewayType: str | None = None
    enableBgp: bool | None = None
    gatewayDefaultSite: OptRef | None = None
    ipConfigurations: tuple[GatewayIpConfiguration, ...] | None = None


class VirtualNetworkGatewayRow(Row):
    properties: VirtualNetworkGatewayProperties | None = None
