"""Typed payloads of the graph's nodes, one frozen dataclass per resource kind.

Only the fields that decide egress are kept; IDs keep their original spelling (the graph keys
them lower-cased). Built from snapshot rows in `auditor.graph.rows` and `hub_rows`, nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from auditor.arm import ResourceId
from auditor.enums import (
    AgentPoolMode,
    AllocationMethod,
    GatewayType,
    IpVersion,
    LoadBalancerSku,
    NetworkPlugin,
    NextHopType,
    OsType,
    OutboundType,
    PowerState,
    Sku,
)
from auditor.frozen import frozen
from auditor.graph import defaults
from auditor.model import ResourceKind


@frozen
class Resource:
    id: ResourceId
    name: str
    subscription_id: str
    resource_group: str
    location: str
    tags: Mapping[str, str] = field(default_factory=dict)


@frozen
class LoadBalancerProfile:
    managed_outbound_ip_count: int | None
    outbound_ip_ids: tuple[ResourceId, ...]
    outbound_prefix_ids: tuple[ResourceId, ...]
    effective_outbound_ip_ids: tuple[ResourceId, ...]
    allocated_outbound_ports: int | None
    idle_timeout_minutes: int | None


@frozen
class NatGatewayProfile:
    managed_outbound_ip_count: int | None
    idle_timeout_minutes: int | None
    effective_outbound_ip_ids: tuple[ResourceId, ...]
    sku: Sku | None


@frozen
class ApiServerAccess:
    authorized_ip_ranges: tuple[str, ...]
    private_cluster: bool
    vnet_integration: bool


@frozen
class Cluster(Resource):
    outbound_type: str | None = None  # as the row spells it, for reports and META001
    outbound: OutboundType | None = None
    network_plugin: str | None = None  # as the row spells it, for reports
    plugin: NetworkPlugin | None = None
    network_plugin_mode: str | None = None
    network_dataplane: str | None = None
    network_policy: str | None = None
    load_balancer_sku: LoadBalancerSku | None = None
    ip_families: tuple[IpVersion, ...] = ()
    node_resource_group: str | None = None
    power_state: PowerState | None = None
    kubernetes_version: str | None = None
    load_balancer_profile: LoadBalancerProfile | None = None
    nat_gateway_profile: NatGatewayProfile | None = None
    api_server_access: ApiServerAccess | None = None
    static_egress_gateway: bool = False  # networkProfile.staticEgressGatewayProfile.enabled
    bootstrap_artifact_source: str | None = None  # bootstrapProfile.artifactSource
    virtual_nodes: bool = False  # addonProfiles.aciConnectorLinux.enabled
    virtual_node_subnet_name: str | None = None  # its config.SubnetName; None when not named

    @property
    def is_nat_outbound(self) -> bool:
        return self.outbound is not None and self.outbound.is_nat

    @property
    def is_managed_nat(self) -> bool:
        return self.outbound is not None and self.outbound.is_managed_nat

    @property
    def is_isolated(self) -> bool:
        return self.outbound is not None and self.outbound.is_isolated

    @property
    def is_stopped(self) -> bool:
        return self.power_state is PowerState.STOPPED


@frozen
class NodePool:
    id: ResourceId
    cluster_id: ResourceId
    name: str
    mode: AgentPoolMode | None
    os_type: OsType | None
    count: int | None
    min_count: int | None
    max_count: int | None
    auto_scaling: bool
    max_surge: str | None
    availability_zones: tuple[str, ...]
    vnet_subnet_id: ResourceId | None
    pod_subnet_id: ResourceId | None
    enable_node_public_ip: bool
    node_public_ip_prefix_id: ResourceId | None
    power_state: PowerState | None
    windows_outbound_nat_disabled: bool | None
    gateway_prefix_size: int | None = None  # gatewayProfile.publicIPPrefixSize (mode Gateway)

    @property
    def is_stopped(self) -> bool:
        return self.power_state is PowerState.STOPPED

    @property
    def is_gateway(self) -> bool:
        """A static egress gateway pool: it carries annotated pods' egress, not workloads."""
        return self.mode is AgentPoolMode.GATEWAY

    @property
    def gateway_prefix_length(self) -> int:
        """The length of a gateway pool's public IP prefix: its own, else the default."""
        return self.gateway_prefix_size or defaults.GATEWAY_PREFIX_SIZE


@frozen
class Peering:
    remote_vnet_id: ResourceId
    use_remote_gateways: bool


@frozen
class VirtualNetwork(Resource):
    address_prefixes: tuple[str, ...] = ()
    subnet_ids: tuple[ResourceId, ...] = ()
    default_public_nat_gateway_id: ResourceId | None = None
    peerings: tuple[Peering, ...] = ()


@frozen
class Subnet:
    id: ResourceId
    name: str
    vnet_id: ResourceId
    address_prefixes: tuple[str, ...]
    nat_gateway_id: ResourceId | None
    route_table_id: ResourceId | None
    network_security_group_id: ResourceId | None
    default_outbound_access: bool | None


@frozen
class NatGateway(Resource):
    sku: Sku | None = None
    zones: tuple[str, ...] = ()
    idle_timeout_minutes: int | None = None
    public_ip_ids: tuple[ResourceId, ...] = ()
    public_ip_prefix_ids: tuple[ResourceId, ...] = ()
    public_ip_v6_ids: tuple[ResourceId, ...] = ()
    public_ip_prefix_v6_ids: tuple[ResourceId, ...] = ()
    subnet_ids: tuple[ResourceId, ...] = ()
    source_virtual_network_id: ResourceId | None = None


@frozen
class PublicIp(Resource):
    sku: Sku | None = None
    tier: str | None = None
    zones: tuple[str, ...] = ()
    ip_address: str | None = None
    allocation_method: AllocationMethod | None = None
    version: IpVersion | None = None
    prefix_id: ResourceId | None = None
    idle_timeout_minutes: int | None = None
    ddos_protection: bool = False
    routing_preference_internet: bool = False


@frozen
class PublicIpPrefix(Resource):
    sku: Sku | None = None
    zones: tuple[str, ...] = ()
    ip_prefix: str | None = None
    prefix_length: int | None = None
    version: IpVersion | None = None


@frozen
class Route:
    name: str
    address_prefix: str | None
    next_hop_type: NextHopType | None
    next_hop_ip: str | None
    next_hop_type_text: str | None = None  # as the row spells it, when the type is unknown
    next_hop_ips: tuple[str, ...] = ()  # an ECMP route's appliances (nextHop.nextHopIpAddresses)

    @property
    def hop_text(self) -> str:
        """The next hop's address or addresses, for a sentence ("" for none)."""
        return self.next_hop_ip or ", ".join(self.next_hop_ips)


@frozen
class RouteTable(Resource):
    routes: tuple[Route, ...] = ()
    # disableBgpRoutePropagation; absent means routes learned over BGP do reach the subnet.
    bgp_propagation_disabled: bool = False

    def internet_routes(self) -> tuple[Route, ...]:
        """The user-defined routes that decide internet egress: the pair 0.0.0.0/1 +
        128.0.0.0/1, which covers every internet address with longer prefixes and so wins
        over 0.0.0.0/0 by longest prefix match [UDR], else 0.0.0.0/0; () for neither."""
        by_prefix = {route.address_prefix: route for route in self.routes}
        low, high = by_prefix.get("0.0.0.0/1"), by_prefix.get("128.0.0.0/1")
        if low is not None and high is not None:
            return (low, high)
        whole = by_prefix.get("0.0.0.0/0")
        return () if whole is None else (whole,)


@frozen
class OutboundRule:
    name: str
    frontend_ids: tuple[ResourceId, ...]
    idle_timeout_minutes: int | None
    allocated_outbound_ports: int | None
    enable_tcp_reset: bool | None


@frozen
class LoadBalancingRule:
    name: str
    frontend_id: ResourceId | None
    disable_outbound_snat: bool


@frozen
class LoadBalancer(Resource):
    sku: Sku | None = None
    # frontend IP configuration key → the public IP / prefix it uses
    frontend_public_ip_ids: dict[str, ResourceId] = field(default_factory=dict)
    frontend_public_prefix_ids: dict[str, ResourceId] = field(default_factory=dict)
    outbound_rules: tuple[OutboundRule, ...] = ()
    rules: tuple[LoadBalancingRule, ...] = ()

    def frontend_address_id(self, frontend_id: ResourceId) -> ResourceId | None:
        """The public IP or prefix of a frontend IP configuration; None for a private one."""
        key = frontend_id.key
        return self.frontend_public_ip_ids.get(key) or self.frontend_public_prefix_ids.get(key)


@frozen
class FirewallIpConfiguration:
    private_ip: str | None
    subnet_id: ResourceId | None
    public_ip_id: ResourceId | None


@frozen
class FirewallRule:
    """A classic network or application rule, reduced to what FW002 judges."""

    kind: str  # "network" or "application"
    destinations: tuple[str, ...]  # addresses, service tags, FQDNs
    fqdn_tags: tuple[str, ...]
    action: str  # of the collection: "Allow" or "Deny"


@frozen
class Firewall(Resource):
    ip_configurations: tuple[FirewallIpConfiguration, ...] = ()
    virtual_hub_id: ResourceId | None = None
    hub_private_ip: str | None = None
    hub_public_addresses: tuple[str, ...] = ()
    hub_public_ip_count: int | None = None
    policy_id: ResourceId | None = None
    classic_rules: tuple[FirewallRule, ...] = ()
    # A management IP configuration: the firewall can be forced-tunnelled (data traffic then
    # follows AzureFirewallSubnet's routes, SNATed to the firewall's private IP).
    management_ip_configuration: bool = False

    @property
    def private_ips(self) -> tuple[str, ...]:
        ips = [c.private_ip for c in self.ip_configurations if c.private_ip]
        if self.hub_private_ip:
            ips.append(self.hub_private_ip)
        return tuple(ips)

    @property
    def public_ip_ids(self) -> tuple[ResourceId, ...]:
        return tuple(c.public_ip_id for c in self.ip_configurations if c.public_ip_id)

    @property
    def subnet_id(self) -> ResourceId | None:
        """AzureFirewallSubnet, where a NAT gateway takes over the firewall's egress."""
        return next((c.subnet_id for c in self.ip_configurations if c.subnet_id), None)


@frozen
class FirewallPolicy(Resource):
    pass


@frozen
class VirtualNetworkGateway(Resource):
    gateway_type: GatewayType | None = None
    gateway_type_text: str | None = None
    bgp_enabled: bool = False
    subnet_ids: tuple[ResourceId, ...] = ()  # GatewaySubnet

    @property
    def vnet_id(self) -> ResourceId | None:
        return next((vnet for s in self.subnet_ids if (vnet := s.parent_id())), None)


@frozen
class Unknown:
    """A referenced ID that is not in the snapshot: out of scope or unreadable, never missing."""

    id: ResourceId
    kind: ResourceKind


Payload = (
    Cluster
    | NodePool
    | VirtualNetwork
    | Subnet
    | NatGateway
    | PublicIp
    | PublicIpPrefix
    | RouteTable
    | LoadBalancer
    | Firewall
    | FirewallPolicy
    | VirtualNetworkGateway
    | Unknown
)


def kind_of(payload: Any) -> ResourceKind:
    """The kind of a payload read from a row (an Unknown says what it was referenced as)."""
    if isinstance(payload, Unknown):
        return payload.kind
    return _KINDS[type(payload)]


def kind_of_type(payload_type: type) -> ResourceKind:
    return _KINDS[payload_type]


_KINDS: dict[type, ResourceKind] = {
    Cluster: ResourceKind.CLUSTER,
    NodePool: ResourceKind.NODE_POOL,
    VirtualNetwork: ResourceKind.VIRTUAL_NETWORK,
    Subnet: ResourceKind.SUBNET,
    NatGateway: ResourceKind.NAT_GATEWAY,
    PublicIp: ResourceKind.PUBLIC_IP,
    PublicIpPrefix: ResourceKind.PUBLIC_IP_PREFIX,
    RouteTable: ResourceKind.ROUTE_TABLE,
    LoadBalancer: ResourceKind.LOAD_BALANCER,
    Firewall: ResourceKind.AZURE_FIREWALL,
    FirewallPolicy: ResourceKind.FIREWALL_POLICY,
    VirtualNetworkGateway: ResourceKind.VIRTUAL_NETWORK_GATEWAY,
}
