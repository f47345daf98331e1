"""Snapshot rows → typed payloads, with auditor/graph/hub_rows.py (firewalls, firewall policies
and gateways): the only places that turn rows into the graph's payloads.

Rows arrive as records of auditor/graph/shapes.py (and hub_shapes.py), decoded and
type-checked already, each error naming the file and the JSON path of the field, e.g.
`resources.microsoft.network/natgateways[3].properties.subnets`; what is checked here beyond
the JSON types (an ID that is not an ARM ID) raises RowError with the field's path in the row.
Every ARM ID read becomes a ResourceId here, once, through the estate's IdTable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from auditor import arm
from auditor.arm import IdTable, ResourceId
from auditor.enums import (
    AgentPoolMode,
    AllocationMethod,
    IpVersion,
    LoadBalancerSku,
    NetworkPlugin,
    NextHopType,
    OsType,
    OutboundType,
    PowerState,
    Sku,
)
from auditor.graph import defaults, shapes
from auditor.graph.nodes import (
    ApiServerAccess,
    Cluster,
    LoadBalancer,
    LoadBalancerProfile,
    LoadBalancingRule,
    NatGateway,
    NatGatewayProfile,
    NodePool,
    OutboundRule,
    Peering,
    PublicIp,
    PublicIpPrefix,
    Route,
    RouteTable,
    Subnet,
    VirtualNetwork,
)


class RowError(Exception):
    """A field of a row that its JSON type allows but the graph cannot use."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field  # the path in the row, e.g. `id`
        self.problem = problem


# The fields every payload shares (nodes.Resource's, in its order): passed positionally, as
# `Kind(*reader.common(row), ...)`. Unpacking a dict of them into keywords instead cost about
# 2 µs a row, a twentieth of an audit of 10,000 clusters.
_Common = tuple[ResourceId, str, str, str, str, Mapping[str, str]]


# An absent or null object reads as an empty one.
_CLUSTER = shapes.ClusterProperties()
_NETWORK = shapes.NetworkProfile()
_VNET = shapes.VirtualNetworkProperties()
_SUBNET = shapes.SubnetProperties()
_PEERING = shapes.PeeringProperties()
_NAT = shapes.NatGatewayProperties()
_PUBLIC_IP = shapes.PublicIpProperties()
_PREFIX = shapes.PublicIpPrefixProperties()
_ROUTES = shapes.RouteTableProperties()
_ROUTE = shapes.RouteProperties()
_LOAD_BALANCER = shapes.LoadBalancerProperties()
_FRONTEND = shapes.FrontendProperties()
_OUTBOUND_RULE = shapes.OutboundRuleProperties()
_LB_RULE = shapes.LoadBalancingRuleProperties()


def _sku(sku: shapes.SkuName | None) -> Sku | None:
    return None if sku is None else Sku.parse(sku.name)


class RowReader:
    """Reads the rows of one estate into payloads, sharing one ResourceId per spelling."""

    def __init__(self, ids: IdTable | None = None) -> None:
        self.ids = IdTable() if ids is None else ids
        self._shared: dict[str, str] = {}
        self._shared_zones: dict[tuple[str, ...], tuple[str, ...]] = {}

    def zones(self, zones: tuple[str, ...] | None) -> tuple[str, ...]:
        """Availability zones, one tuple per distinct list: an estate has a handful."""
        if not zones:
            return ()
        return self._shared_zones.setdefault(zones, zones)

    def ref(self, ref: shapes.OptRef | None) -> ResourceId | None:
        return None if ref is None else self.ids.optional(ref.id)

    def refs(self, refs: tuple[shapes.Ref, ...] | None) -> tuple[ResourceId, ...]:
        if not refs:
            return ()
        ids = self.ids
        return tuple([ids(ref.id) for ref in refs])

    def common(self, row: shapes.Row) -> _Common:
        text = row.id
        subscription, group, name = _scope(text)
        tags = row.tags
        # Subscriptions, groups and regions repeat from row to row: one string per spelling.
        shared = self._shared
        group = group or _column(row.resourceGroup, "resourceGroup") or ""
        location = row.location or ""
        return (
            self.ids[text],
            row.name or name,
            # The ID keeps ARM casing; the resourceGroup column is lower-cased by Resource Graph.
            shared.setdefault(subscription, subscription),
            shared.setdefault(group, group),
            shared.setdefault(location, location),
            _tags(tags) if tags else _NO_TAGS,
        )

    def cluster(self, row: shapes.ClusterRow) -> tuple[Cluster, list[NodePool]]:
        props = row.properties or _CLUSTER
        net = props.networkProfile or _NETWORK
        api = props.apiServerAccessProfile
        gateway = net.staticEgressGatewayProfile
        bootstrap = props.bootstrapProfile
        virtual_nodes, virtual_node_subnet = _virtual_nodes(props.addonProfiles)
        # A documented default applies where the row has no value (auditor/graph/defaults.py).
        outbound_type = net.outboundType or defaults.OUTBOUND_TYPE.value
        network_plugin = net.networkPlugin
        result = Cluster(
            *self.common(row),
            outbound_type=outbound_type,
            outbound=OutboundType.parse(outbound_type),
            network_plugin=network_plugin,
            plugin=NetworkPlugin.parse(network_plugin),
            network_plugin_mode=net.networkPluginMode,
            network_dataplane=net.networkDataplane,
            network_policy=net.networkPolicy,
            load_balancer_sku=LoadBalancerSku.parse(
                net.loadBalancerSku or defaults.LOAD_BALANCER_SKU.value
            ),
            ip_families=tuple(
                family
                for text in net.ipFamilies or ()
                if (family := IpVersion.parse(text)) is not None
            ),
            node_resource_group=props.nodeResourceGroup,
            power_state=_power_state(props.powerState),
            kubernetes_version=props.kubernetesVersion,
            load_balancer_profile=self._lb_profile(net.loadBalancerProfile),
            nat_gateway_profile=self._nat_profile(net.natGatewayProfile),
            api_server_access=None if api is None else _api_access(api),
            static_egress_gateway=bool(gateway and gateway.enabled),
            bootstrap_artifact_source=None if bootstrap is None else bootstrap.artifactSource,
            virtual_nodes=virtual_nodes,
            virtual_node_subnet_name=virtual_node_subnet,
        )
        pools = [self._pool(result.id, pool) for pool in props.agentPoolProfiles or ()]
        return result, pools

    def _lb_profile(self, profile: shapes.LoadBalancerProfile | None) -> LoadBalancerProfile | None:
        if profile is None:
            return None
        managed = profile.managedOutboundIPs
        outbound_ips = profile.outboundIPs
        outbound_prefixes = profile.outboundIPPrefixes
        return LoadBalancerProfile(
            managed_outbound_ip_count=None if managed is None else managed.count,
            outbound_ip_ids=() if outbound_ips is None else self.refs(outbound_ips.publicIPs),
            outbound_prefix_ids=(
                () if outbound_prefixes is None else self.refs(outbound_prefixes.publicIPPrefixes)
            ),
            effective_outbound_ip_ids=self.refs(profile.effectiveOutboundIPs),
            allocated_outbound_ports=profile.allocatedOutboundPorts,
            idle_timeout_minutes=profile.idleTimeoutInMinutes,
        )

    def _nat_profile(self, profile: shapes.NatGatewayProfile | None) -> NatGatewayProfile | None:
        if profile is None:
            return None
        managed = profile.managedOutboundIPProfile
        return NatGatewayProfile(
            managed_outbound_ip_count=None if managed is None else managed.count,
            idle_timeout_minutes=profile.idleTimeoutInMinutes,
            effective_outbound_ip_ids=self.refs(profile.effectiveOutboundIPs),
            sku=Sku.parse(profile.sku),
        )

    def _pool(self, cluster_id: ResourceId, pool: shapes.AgentPool) -> NodePool:
        name = pool.name
        upgrade = pool.upgradeSettings
        windows = pool.windowsProfile
        gateway = pool.gatewayProfile
        ids = self.ids
        return NodePool(
            id=cluster_id.child("agentPools", name),
            cluster_id=cluster_id,
            name=name,
            mode=AgentPoolMode.parse(pool.mode),
            os_type=OsType.parse(pool.osType or defaults.OS_TYPE.value),
            count=pool.count,
            min_count=pool.minCount,
            max_count=pool.maxCount,
            auto_scaling=bool(pool.enableAutoScaling),
            max_surge=None if upgrade is None else upgrade.maxSurge,
            availability_zones=self.zones(pool.availabilityZones),
            vnet_subnet_id=ids.optional(pool.vnetSubnetID),
            pod_subnet_id=ids.optional(pool.podSubnetID),
            enable_node_public_ip=bool(pool.enableNodePublicIP),
            node_public_ip_prefix_id=ids.optional(pool.nodePublicIPPrefixID),
            power_state=_power_state(pool.powerState),
            windows_outbound_nat_disabled=None if windows is None else windows.disableOutboundNat,
            gateway_prefix_size=None if gateway is None else gateway.publicIPPrefixSize,
        )

    def virtual_network(self, row: shapes.VirtualNetworkRow) -> tuple[VirtualNetwork, list[Subnet]]:
        props = row.properties or _VNET
        space = props.addressSpace
        common = self.common(row)
        vnet_id = common[0]
        subnets = [self._subnet(vnet_id, entry) for entry in props.subnets or ()]
        peerings = tuple(
            Peering(
                remote_vnet_id=remote,
                use_remote_gateways=bool(peering.useRemoteGateways),
            )
            for entry in props.virtualNetworkPeerings or ()
            if (remote := self.ref((peering := entry.properties or _PEERING).remoteVirtualNetwork))
        )
        result = VirtualNetwork(
            *common,
            address_prefixes=() if space is None else space.addressPrefixes or (),
            subnet_ids=tuple(s.id for s in subnets),
            default_public_nat_gateway_id=self.ref(props.defaultPublicNatGateway),
            peerings=peerings,
        )
        return result, subnets

    def _subnet(self, vnet_id: ResourceId, entry: shapes.SubnetEntry) -> Subnet:
        props = entry.properties or _SUBNET
        name = entry.name
        text = entry.id
        subnet_id = self.ids[text] if text else vnet_id.child("subnets", name or "")
        prefix = props.addressPrefix
        return Subnet(
            id=subnet_id,
            name=name or subnet_id.name,
            vnet_id=vnet_id,
            address_prefixes=((prefix,) if prefix else ()) + (props.addressPrefixes or ()),
            nat_gateway_id=self.ref(props.natGateway),
            route_table_id=self.ref(props.routeTable),
            network_security_group_id=self.ref(props.networkSecurityGroup),
            default_outbound_access=props.defaultOutboundAccess,
        )

    def nat_gateway(self, row: shapes.NatGatewayRow) -> NatGateway:
        props = row.properties or _NAT
        return NatGateway(
            *self.common(row),
            sku=_sku(row.sku),
            zones=self.zones(row.zones),
            idle_timeout_minutes=props.idleTimeoutInMinutes,
            public_ip_ids=self.refs(props.publicIpAddresses),
            public_ip_prefix_ids=self.refs(props.publicIpPrefixes),
            public_ip_v6_ids=self.refs(props.publicIpAddressesV6),
            public_ip_prefix_v6_ids=self.refs(props.publicIpPrefixesV6),
            subnet_ids=self.refs(props.subnets),
            source_virtual_network_id=self.ref(props.sourceVirtualNetwork),
        )

    def public_ip(self, row: shapes.PublicIpRow) -> PublicIp:
        props = row.properties or _PUBLIC_IP
        sku = row.sku
        ddos = props.ddosSettings
        return PublicIp(
            *self.common(row),
            sku=_sku(sku),
            tier=None if sku is None else sku.tier,
            zones=self.zones(row.zones),
            ip_address=props.ipAddress,
            allocation_method=AllocationMethod.parse(props.publicIPAllocationMethod),
            version=IpVersion.parse(props.publicIPAddressVersion),
            prefix_id=self.ref(props.publicIPPrefix),
            idle_timeout_minutes=props.idleTimeoutInMinutes,
            ddos_protection=ddos is not None and (ddos.protectionMode or "").lower() == "enabled",
            routing_preference_internet=_routing_internet(props.ipTags or ()),
        )

    def public_ip_prefix(self, row: shapes.PublicIpPrefixRow) -> PublicIpPrefix:
        props = row.properties or _PREFIX
        return PublicIpPrefix(
            *self.common(row),
            sku=_sku(row.sku),
            zones=self.zones(row.zones),
            ip_prefix=props.ipPrefix,
            prefix_length=props.prefixLength,
            version=IpVersion.parse(props.publicIPAddressVersion),
        )

    def route_table(self, row: shapes.RouteTableRow) -> RouteTable:
        props = row.properties or _ROUTES
        routes = []
        for entry in props.routes or ():
            route = entry.properties or _ROUTE
            hop_text = route.nextHopType
            routes.append(
                Route(
                    name=entry.name or "",
                    address_prefix=route.addressPrefix,
                    next_hop_type=NextHopType.parse(hop_text),
                    next_hop_ip=route.nextHopIpAddress,
                    next_hop_type_text=hop_text,
                    next_hop_ips=()
                    if route.nextHop is None
                    else route.nextHop.nextHopIpAddresses or (),
                )
            )
        return RouteTable(
            *self.common(row),
            routes=tuple(routes),
            bgp_propagation_disabled=bool(props.disableBgpRoutePropagation),
        )

    def load_balancer(self, row: shapes.LoadBalancerRow) -> LoadBalancer:
        props = row.properties or _LOAD_BALANCER
        frontend_ips: dict[str, ResourceId] = {}
        frontend_prefixes: dict[str, ResourceId] = {}
        for frontend in props.frontendIPConfigurations or ():
            key = arm.key(frontend.id)
            frontend_props = frontend.properties or _FRONTEND
            ip_ref = self.ref(frontend_props.publicIPAddress)
            prefix_ref = self.ref(frontend_props.publicIPPrefix)
            if ip_ref:
                frontend_ips[key] = ip_ref
            if prefix_ref:
                frontend_prefixes[key] = prefix_ref
        rules = []
        for entry in props.outboundRules or ():
            rule = entry.properties or _OUTBOUND_RULE
            rules.append(
                OutboundRule(
                    name=entry.name or "",
                    frontend_ids=self.refs(rule.frontendIPConfigurations),
                    idle_timeout_minutes=rule.idleTimeoutInMinutes,
                    allocated_outbound_ports=rule.allocatedOutboundPorts,
                    enable_tcp_reset=rule.enableTcpReset,
                )
            )
        balancing = []
        for item in props.loadBalancingRules or ():
            balancing_rule = item.properties or _LB_RULE
            balancing.append(
                LoadBalancingRule(
                    name=item.name or "",
                    frontend_id=self.ref(balancing_rule.frontendIPConfiguration),
                    disable_outbound_snat=bool(balancing_rule.disableOutboundSnat),
                )
            )
        return LoadBalancer(
            *self.common(row),
            sku=_sku(row.sku),
            frontend_public_ip_ids=frontend_ips,
            frontend_public_prefix_ids=frontend_prefixes,
            outbound_rules=tuple(rules),
            rules=tuple(balancing),
        )


def _scope(text: str) -> tuple[str, str, str]:
    """The subscription, resource group and name of a row's ID: split directly when it has
    the shape Azure writes (/subscriptions/S/resourceGroups/G/providers/NS/type/name...),
    else through arm.parse; RowError when it is no resource ID at all."""
    segments = text.split("/")
    count = len(segments)
    if (
        count >= 9
        and count % 2 == 1
        and not segments[0]
        and segments[2]
        and segments[-1]
        and not text[-1].isspace()
        and segments[1].lower() == "subscriptions"
        and segments[3].lower() == "resourcegroups"
        and segments[5].lower() == "providers"
    ):
        return segments[2], segments[4], segments[-1]
    parts = arm.parse(text)
    if not parts.subscription_id or not parts.resource_type:
        raise RowError("id", f"{text!r} is not an Azure resource ID")
    return parts.subscription_id, parts.resource_group, parts.name


def _virtual_nodes(addons: dict[str, Any] | None) -> tuple[bool, str | None]:
    """Whether the ACI connector's virtual nodes are on, and the name of their subnet (None
    when the add-on names none: they exist, where is unknown). Add-on and config keys are
    matched without case: AKS returns `aciConnectorLinux`/`SubnetName`, older clusters
    `ACIConnectorLinux`."""
    for name, addon in (addons or {}).items():
        if name.lower() != "aciconnectorlinux" or not isinstance(addon, dict):
            continue
        where = f"properties.addonProfiles.{name}"
        enabled = addon.get("enabled")
        if enabled is not None and type(enabled) is not bool:
            raise RowError(f"{where}.enabled", "expected a boolean")
        if not enabled:
            return False, None
        config = addon.get("config")
        if config is None:
            return True, None
        if not isinstance(config, dict):
            raise RowError(f"{where}.config", "expected an object")
        for key, value in config.items():
            if key.lower() != "subnetname" or value is None:
                continue
            if type(value) is not str:
                raise RowError(f"{where}.config.{key}", "expected a string")
            return True, value or None
        return True, None
    return False, None


def _column(value: Any, field: str) -> str | None:
    """A column that is read only sometimes, so not typed in its shape: a string or null."""
    if value is None or type(value) is str:
        return value
    raise RowError(field, "expected a string")


_NO_TAGS: Mapping[str, str] = MappingProxyType({})


def _tags(tags: dict[str, Any]) -> dict[str, str]:
    return {k: v if type(v) is str else str(v) for k, v in tags.items()}


def _routing_internet(tags: Iterable[Any]) -> bool:
    return any(
        isinstance(tag, dict)
        and str(tag.get("ipTagType", "")).lower() == "routingpreference"
        and str(tag.get("tag", "")).lower() == "internet"
        for tag in tags
    )


def _power_state(power: shapes.PowerState | None) -> PowerState | None:
    return None if power is None else PowerState.parse(power.code)


def _api_access(api: shapes.ApiServerAccessProfile) -> ApiServerAccess:
    return ApiServerAccess(
        authorized_ip_ranges=api.authorizedIPRanges or (),
        private_cluster=bool(api.enablePrivateCluster),
        vnet_integration=bool(api.enableVnetIntegration),
    )
