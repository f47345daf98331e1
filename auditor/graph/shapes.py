"""The shape of each Resource Graph row type as the graph reads it: only the fields it reads,
each with its JSON type, so that a snapshot's text is decoded straight into these records
(auditor/decode.py) and everything else in a row is skipped unread.

Attribute names are the rows' JSON keys, so a decoding error names the JSON path as the row
spells it. A JSON type a field may not have is an error naming that path; `null` reads as an
absent field. auditor/graph/rows.py turns records into the graph's payloads.

To read a new field, add it here and read it in rows.py (the enterprise types: hub_shapes.py
and hub_rows.py); a new resource type also gets its row in build.ROW_TYPES.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from auditor.reader import MAX_INTEGER

Integer = Annotated[int, msgspec.Meta(ge=-MAX_INTEGER, le=MAX_INTEGER)]
Strings = tuple[str, ...] | None  # a list of strings; null or absent reads as empty


class Shape(msgspec.Struct, kw_only=True, gc=False):
    """A row, or a part of one, holding only what the graph reads."""


class Ref(Shape):
    """An entry of a list of sub-resource references: `{"id": ...}`."""

    id: str


class OptRef(Shape):
    """A single sub-resource reference; `{}` reads as none."""

    id: str | None = None


Refs = tuple[Ref, ...] | None


class SkuName(Shape):
    name: str | None = None


class Sku(SkuName):
    tier: str | None = None


class Count(Shape):
    count: Integer | None = None


class PowerState(Shape):
    code: str | None = None


class Row(Shape):
    """The columns every resource row has."""

    id: str
    name: str | None = None
    # Read only when the ID names no resource group (rows.py checks it then).
    resourceGroup: Any = None
    location: str | None = None
    tags: dict[str, Any] | None = None


# -- managed clusters ------------------------------------------------------------------------


class PublicIps(Shape):
    publicIPs: Refs = None


class PublicIpPrefixes(Shape):
    publicIPPrefixes: Refs = None


class LoadBalancerProfile(Shape):
    managedOutboundIPs: Count | None = None
    outboundIPs: PublicIps | None = None
    outboundIPPrefixes: PublicIpPrefixes | None = None
    effectiveOutboundIPs: Refs = None
    allocatedOutboundPorts: Integer | None = None
    idleTimeoutInMinutes: Integer | None = None


class NatGatewayProfile(Shape):
    managedOutboundIPProfile: Count | None = None
    idleTimeoutInMinutes: Integer | None = None
    effectiveOutboundIPs: Refs = None
    sku: str | None = None


class Enabled(Shape):
    enabled: bool | None = None


class NetworkProfile(Shape):
    outboundType: str | None = None
    networkPlugin: str | None = None
    networkPluginMode: str | None = None
    networkDataplane: str | None = None
    networkPolicy: str | None = None
    loadBalancerSku: str | None = None
    ipFamilies: Strings = None
    loadBalancerProfile: LoadBalancerProfile | None = None
    natGatewayProfile: NatGatewayProfile | None = None
    staticEgressGatewayProfile: Enabled | None = None


class UpgradeSettings(Shape):
    maxSurge: str | None = None


class WindowsProfile(Shape):
    disableOutboundNat: bool | None = None


class GatewayProfile(Shape):
    publicIPPrefixSize: Integer | None = None


class AgentPool(Shape):
    name: str
    mode: str | None = None
    osType: str | None = None
    count: Integer | None = None
    minCount: Integer | None = None
    maxCount: Integer | None = None
    enableAutoScaling: bool | None = None
    upgradeSettings: UpgradeSettings | None = None
    availabilityZones: Strings = None
    vnetSubnetID: str | None = None
    podSubnetID: str | None = None
    enableNodePublicIP: bool | None = None
    nodePublicIPPrefixID: str | None = None
    powerState: PowerState | None = None
    windowsProfile: WindowsProfile | None = None
    gatewayProfile: GatewayProfile | None = None


class ApiServerAccessProfile(Shape):
    authorizedIPRanges: Strings = None
    enablePrivateCluster: bool | None = None
    enableVnetIntegration: bool | None = None


class BootstrapProfile(Shape):
    artifactSource: str | None = None


class ClusterProperties(Shape):
    networkProfile: NetworkProfile | None = None
    apiServerAccessProfile: ApiServerAccessProfile | None = None
    nodeResourceGroup: str | None = None
    powerState: PowerState | None = None
    kubernetesVersion: str | None = None
    agentPoolProfiles: tuple[AgentPool, ...] | None = None
    bootstrapProfile: BootstrapProfile | None = None
    # Add-on names are matched without case (rows.py), so the object is read as it is.
    addonProfiles: dict[str, Any] | None = None


class ClusterRow(Row):
    properties: ClusterProperties | None = None


# -- virtual networks ------------------------------------------------------------------------


class SubnetProperties(Shape):
    addressPrefix: str | None = None
    addressPrefixes: Strings = None
    natGateway: OptRef | None = None
    routeTable: OptRef | None = None
    networkSecurityGroup: OptRef | None = None
    defaultOutboundAccess: bool | None = None


class SubnetEntry(Shape):
    id: str | None = None
    name: str | None = None
    properties: SubnetProperties | None = None


class AddressSpace(Shape):
    addressPrefixes: Strings = None


class PeeringProperties(Shape):
    remoteVirtualNetwork: OptRef | None = None
    useRemoteGateways: bool | None = None
    allowGatewayTransit: bool | None = None


class Peering(Shape):
    properties: PeeringProperties | None = None


class VirtualNetworkProperties(Shape):
    addressSpace: AddressSpace | None = None
    subnets: tuple[SubnetEntry, ...] | None = None
    virtualNetworkPeerings: tuple[Peering, ...] | None = None
    defaultPublicNatGateway: OptRef | None = None


class VirtualNetworkRow(Row):
    properties: VirtualNetworkProperties | None = None


# -- NAT gateways, public IPs and prefixes ---------------------------------------------------


class NatGatewayProperties(Shape):
    idleTimeoutInMinutes: Integer | None = None
    publicIpAddresses: Refs = None
    publicIpPrefixes: Refs = None
    publicIpAddressesV6: Refs = None
    publicIpPrefixesV6: Refs = None
    subnets: Refs = None
    sourceVirtualNetwork: OptRef | None = None


class NatGatewayRow(Row):
    sku: SkuName | None = None
    zones: Strings = None
    properties: NatGatewayProperties | None = None


class DdosSettings(Shape):
    protectionMode: str | None = None


class PublicIpProperties(Shape):
    ipAddress: str | None = None
    publicIPAllocationMethod: str | None = None
    publicIPAddressVersion: str | None = None
    publicIPPrefix: OptRef | None = None
    idleTimeoutInMinutes: Integer | None = None
    ddosSettings: DdosSettings | None = None
    ipTags: list[Any] | None = None  # entries of any shape; only well-formed ones count


class PublicIpRow(Row):
    sku: Sku | None = None
    zones: Strings = None
    properties: PublicIpProperties | None = None


class PublicIpPrefixProperties(Shape):
    ipPrefix: str | None = None
    prefixLength: Integer | None = None
    publicIPAddressVersion: str | None = None


class PublicIpPrefixRow(Row):
    sku: SkuName | None = None
    zones: Strings = None
    properties: PublicIpPrefixProperties | None = None


# -- route tables and load balancers ---------------------------------------------------------


class NextHop(Shape):
    nextHopIpAddresses: Strings = None


class RouteProperties(Shape):
    addressPrefix: str | None = None
    nextHopType: str | None = None
    nextHopIpAddress: str | None = None
    nextHop: NextHop | None = None  # a VirtualApplianceEcmp route's appliances


class RouteEntry(Shape):
    name: str | None = None
    properties: RouteProperties | None = None


class RouteTableProperties(Shape):
    routes: tuple[RouteEntry, ...] | None = None
    disableBgpRoutePropagation: bool | None = None


class RouteTableRow(Row):
    properties: RouteTableProperties | None = None


class FrontendProperties(Shape):
    publicIPAddress: OptRef | None = None
    publicIPPrefix: OptRef | None = None


class Frontend(Shape):
    id: str
    properties: FrontendProperties | None = None


class OutboundRuleProperties(Shape):
    frontendIPConfigurations: Refs = None
    idleTimeoutInMinutes: Integer | None = None
    allocatedOutboundPorts: Integer | None = None
    enableTcpReset: bool | None = None


class OutboundRuleEntry(Shape):
    name: str | None = None
    properties: OutboundRuleProperties | None = None


class LoadBalancingRuleProperties(Shape):
    frontendIPConfiguration: OptRef | None = None
    disableOutboundSnat: bool | None = None


class LoadBalancingRuleEntry(Shape):
    name: str | None = None
    properties: LoadBalancingRuleProperties | None = None


class LoadBalancerProperties(Shape):
    frontendIPConfigurations: tuple[Frontend, ...] | None = None
    outboundRules: tuple[OutboundRuleEntry, ...] | None = None
    loadBalancingRules: tuple[LoadBalancingRuleEntry, ...] | None = None


class LoadBalancerRow(Row):
    sku: SkuName | None = None
    properties: LoadBalancerProperties | None = None
