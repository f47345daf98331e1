"""Snapshot rows → typed payloads. The one place that knows Resource Graph key casing.

Every field read goes through `auditor.reader.Node`, so a wrong type is reported with the
file and the JSON path of the field, e.g.
`resources.microsoft.network/natgateways[3].properties.subnets`. Every ARM ID read becomes a
ResourceId here, once, through the estate's IdTable.
"""

from __future__ import annotations

from typing import TypedDict

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
from auditor.graph import defaults
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
from auditor.reader import Node


class _Common(TypedDict):
    id: ResourceId
    name: str
    subscription_id: str
    resource_group: str
    location: str
    tags: dict[str, str]


def properties_of(row: Node) -> Node:
    return row.section("properties")


def _sku(row: Node) -> Sku | None:
    sku = row.opt_obj("sku")
    return None if sku is None else Sku.parse(sku.opt_string("name"))


class RowReader:
    """Reads the rows of one estate into payloads, sharing one ResourceId per spelling."""

    def __init__(self, ids: IdTable | None = None) -> None:
        self.ids = IdTable() if ids is None else ids

    def ref(self, node: Node, key: str) -> ResourceId | None:
        return self.ids.optional(node.opt_ref(key))

    def refs(self, node: Node, key: str) -> tuple[ResourceId, ...]:
        return self.ids.all(node.refs(key))

    def common(self, row: Node) -> _Common:
        text = row.string("id")
        resource_id = self.ids(text)
        parts = resource_id.parts
        if not parts.subscription_id or not parts.resource_type:
            raise row.error(f"{text!r} is not an Azure resource ID", "id")
        tags = row.opt_obj("tags")
        return {
            "id": resource_id,
            "name": row.opt_string("name") or parts.name,
            # The ID keeps ARM casing; the resourceGroup column is lower-cased by Resource Graph.
            "subscription_id": parts.subscription_id or row.opt_string("subscriptionId") or "",
            "resource_group": parts.resource_group or row.opt_string("resourceGroup") or "",
            "location": row.opt_string("location") or "",
            "tags": {} if tags is None else {k: str(v) for k, v in tags.value.items()},
        }

    def cluster(self, row: Node) -> tuple[Cluster, list[NodePool]]:
        props = properties_of(row)
        net = props.section("networkProfile")
        api = props.opt_obj("apiServerAccessProfile")
        # A documented default applies where the row has no value (auditor/graph/defaults.py).
        outbound_type = net.opt_string("outboundType") or defaults.OUTBOUND_TYPE.value
        network_plugin = net.opt_string("networkPlugin")
        result = Cluster(
            **self.common(row),
            outbound_type=outbound_type,
            outbound=OutboundType.parse(outbound_type),
            network_plugin=network_plugin,
            plugin=NetworkPlugin.parse(network_plugin),
            network_plugin_mode=net.opt_string("networkPluginMode"),
            network_dataplane=net.opt_string("networkDataplane"),
            network_policy=net.opt_string("networkPolicy"),
            load_balancer_sku=LoadBalancerSku.parse(
                net.opt_string("loadBalancerSku") or defaults.LOAD_BALANCER_SKU.value
            ),
            ip_families=tuple(
                family
                for text in net.strs("ipFamilies")
                if (family := IpVersion.parse(text)) is not None
            ),
            node_resource_group=props.opt_string("nodeResourceGroup"),
            power_state=_power_state(props),
            kubernetes_version=props.opt_string("kubernetesVersion"),
            load_balancer_profile=self._lb_profile(net.opt_obj("loadBalancerProfile")),
            nat_gateway_profile=self._nat_profile(net.opt_obj("natGatewayProfile")),
            api_server_access=None if api is None else _api_access(api),
            static_egress_gateway=_enabled(net.opt_obj("staticEgressGatewayProfile")),
            bootstrap_artifact_source=_opt_section_string(
                props.opt_obj("bootstrapProfile"), "artifactSource"
            ),
            virtual_node_subnet_name=_virtual_node_subnet(props.opt_obj("addonProfiles")),
        )
        pools = [
            self._pool(result.id, node) for node in props.opt_array("agentPoolProfiles").items()
        ]
        return result, pools

    def _lb_profile(self, node: Node | None) -> LoadBalancerProfile | None:
        if node is None:
            return None
        managed = node.opt_obj("managedOutboundIPs")
        outbound_ips = node.opt_obj("outboundIPs")
        outbound_prefixes = node.opt_obj("outboundIPPrefixes")
        return LoadBalancerProfile(
            managed_outbound_ip_count=None if managed is None else managed.opt_integer("count"),
            outbound_ip_ids=() if outbound_ips is None else self.refs(outbound_ips, "publicIPs"),
            outbound_prefix_ids=(
                ()
                if outbound_prefixes is None
                else self.refs(outbound_prefixes, "publicIPPrefixes")
            ),
            effective_outbound_ip_ids=self.refs(node, "effectiveOutboundIPs"),
            allocated_outbound_ports=node.opt_integer("allocatedOutboundPorts"),
            idle_timeout_minutes=node.opt_integer("idleTimeoutInMinutes"),
        )

    def _nat_profile(self, node: Node | None) -> NatGatewayProfile | None:
        if node is None:
            return None
        managed = node.opt_obj("managedOutboundIPProfile")
        return NatGatewayProfile(
            managed_outbound_ip_count=None if managed is None else managed.opt_integer("count"),
            idle_timeout_minutes=node.opt_integer("idleTimeoutInMinutes"),
            effective_outbound_ip_ids=self.refs(node, "effectiveOutboundIPs"),
            sku=Sku.parse(node.opt_string("sku")),
        )

    def _pool(self, cluster_id: ResourceId, node: Node) -> NodePool:
        name = node.string("name")
        upgrade = node.opt_obj("upgradeSettings")
        windows = node.opt_obj("windowsProfile")
        return NodePool(
            id=cluster_id.child("agentPools", name),
            cluster_id=cluster_id,
            name=name,
            mode=AgentPoolMode.parse(node.opt_string("mode")),
            os_type=OsType.parse(node.opt_string("osType") or defaults.OS_TYPE.value),
            count=node.opt_integer("count"),
            min_count=node.opt_integer("minCount"),
            max_count=node.opt_integer("maxCount"),
            auto_scaling=bool(node.opt_boolean("enableAutoScaling")),
            max_surge=None if upgrade is None else upgrade.opt_string("maxSurge"),
            availability_zones=node.strs("availabilityZones"),
            vnet_subnet_id=self.ids.optional(node.opt_string("vnetSubnetID")),
            pod_subnet_id=self.ids.optional(node.opt_string("podSubnetID")),
            enable_node_public_ip=bool(node.opt_boolean("enableNodePublicIP")),
            node_public_ip_prefix_id=self.ids.optional(node.opt_string("nodePublicIPPrefixID")),
            power_state=_power_state(node),
            windows_outbound_nat_disabled=(
                None if windows is None else windows.opt_boolean("disableOutboundNat")
            ),
            gateway_prefix_size=_opt_section_integer(
                node.opt_obj("gatewayProfile"), "publicIPPrefixSize"
            ),
        )

    def virtual_network(self, row: Node) -> tuple[VirtualNetwork, list[Subnet]]:
        props = properties_of(row)
        space = props.opt_obj("addressSpace")
        common = self.common(row)
        vnet_id = common["id"]
        subnets = [self._subnet(vnet_id, node) for node in props.opt_array("subnets").items()]
        peerings = [
            peering
            for node in props.opt_array("virtualNetworkPeerings").items()
            if (peering := self._peering(node)) is not None
        ]
        result = VirtualNetwork(
            **common,
            address_prefixes=() if space is None else space.strs("addressPrefixes"),
            subnet_ids=tuple(s.id for s in subnets),
            peered_vnet_ids=tuple(p.remote_vnet_id for p in peerings),
            default_public_nat_gateway_id=self.ref(props, "defaultPublicNatGateway"),
            peerings=tuple(peerings),
        )
        return result, subnets

    def _peering(self, node: Node) -> Peering | None:
        props = properties_of(node)
        remote = self.ref(props, "remoteVirtualNetwork")
        if remote is None:
            return None
        return Peering(
            remote_vnet_id=remote,
            use_remote_gateways=bool(props.opt_boolean("useRemoteGateways")),
            allow_gateway_transit=bool(props.opt_boolean("allowGatewayTransit")),
        )

    def _subnet(self, vnet_id: ResourceId, node: Node) -> Subnet:
        props = properties_of(node)
        name = node.opt_string("name")
        text = node.opt_string("id")
        subnet_id = self.ids(text) if text else vnet_id.child("subnets", name or "")
        prefix = props.opt_string("addressPrefix")
        return Subnet(
            id=subnet_id,
            name=name or subnet_id.name,
            vnet_id=vnet_id,
            address_prefixes=((prefix,) if prefix else ()) + props.strs("addressPrefixes"),
            nat_gateway_id=self.ref(props, "natGateway"),
            route_table_id=self.ref(props, "routeTable"),
            network_security_group_id=self.ref(props, "networkSecurityGroup"),
            default_outbound_access=props.opt_boolean("defaultOutboundAccess"),
        )

    def nat_gateway(self, row: Node) -> NatGateway:
        props = properties_of(row)
        return NatGateway(
            **self.common(row),
            sku=_sku(row),
            zones=row.strs("zones"),
            idle_timeout_minutes=props.opt_integer("idleTimeoutInMinutes"),
            public_ip_ids=self.refs(props, "publicIpAddresses"),
            public_ip_prefix_ids=self.refs(props, "publicIpPrefixes"),
            public_ip_v6_ids=self.refs(props, "publicIpAddressesV6"),
            public_ip_prefix_v6_ids=self.refs(props, "publicIpPrefixesV6"),
            subnet_ids=self.refs(props, "subnets"),
            source_virtual_network_id=self.ref(props, "sourceVirtualNetwork"),
        )

    def public_ip(self, row: Node) -> PublicIp:
        props = properties_of(row)
        sku = row.opt_obj("sku")
        ddos = props.opt_obj("ddosSettings")
        ip_tags = props.opt_array("ipTags")
        routing_internet = any(
            isinstance(tag.value, dict)
            and str(tag.value.get("ipTagType", "")).lower() == "routingpreference"
            and str(tag.value.get("tag", "")).lower() == "internet"
            for tag in ip_tags.items()
        )
        return PublicIp(
            **self.common(row),
            sku=None if sku is None else Sku.parse(sku.opt_string("name")),
            tier=None if sku is None else sku.opt_string("tier"),
            zones=row.strs("zones"),
            ip_address=props.opt_string("ipAddress"),
            allocation_method=AllocationMethod.parse(props.opt_string("publicIPAllocationMethod")),
            version=IpVersion.parse(props.opt_string("publicIPAddressVersion")),
            prefix_id=self.ref(props, "publicIPPrefix"),
            idle_timeout_minutes=props.opt_integer("idleTimeoutInMinutes"),
            ddos_protection=ddos is not None
            and (ddos.opt_string("protectionMode") or "").lower() == "enabled",
            routing_preference_internet=routing_internet,
        )

    def public_ip_prefix(self, row: Node) -> PublicIpPrefix:
        props = properties_of(row)
        return PublicIpPrefix(
            **self.common(row),
            sku=_sku(row),
            zones=row.strs("zones"),
            ip_prefix=props.opt_string("ipPrefix"),
            prefix_length=props.opt_integer("prefixLength"),
            version=IpVersion.parse(props.opt_string("publicIPAddressVersion")),
        )

    def route_table(self, row: Node) -> RouteTable:
        props = properties_of(row)
        routes = []
        for node in props.opt_array("routes").items():
            route_props = properties_of(node)
            hop_text = route_props.opt_string("nextHopType")
            next_hop = route_props.opt_obj("nextHop")
            routes.append(
                Route(
                    name=node.opt_string("name") or "",
                    address_prefix=route_props.opt_string("addressPrefix"),
                    next_hop_type=NextHopType.parse(hop_text),
                    next_hop_ip=route_props.opt_string("nextHopIpAddress"),
                    next_hop_type_text=hop_text,
                    next_hop_ips=() if next_hop is None else next_hop.strs("nextHopIpAddresses"),
                )
            )
        return RouteTable(
            **self.common(row),
            routes=tuple(routes),
            bgp_propagation_disabled=bool(props.opt_boolean("disableBgpRoutePropagation")),
        )

    def load_balancer(self, row: Node) -> LoadBalancer:
        props = properties_of(row)
        frontend_ips: dict[str, ResourceId] = {}
        frontend_prefixes: dict[str, ResourceId] = {}
        for node in props.opt_array("frontendIPConfigurations").items():
            frontend = arm.key(node.string("id"))
            frontend_props = properties_of(node)
            ip_ref = self.ref(frontend_props, "publicIPAddress")
            prefix_ref = self.ref(frontend_props, "publicIPPrefix")
            if ip_ref:
                frontend_ips[frontend] = ip_ref
            if prefix_ref:
                frontend_prefixes[frontend] = prefix_ref
        rules = []
        for node in props.opt_array("outboundRules").items():
            rule_props = properties_of(node)
            rules.append(
                OutboundRule(
                    name=node.opt_string("name") or "",
                    frontend_ids=self.refs(rule_props, "frontendIPConfigurations"),
                    idle_timeout_minutes=rule_props.opt_integer("idleTimeoutInMinutes"),
                    allocated_outbound_ports=rule_props.opt_integer("allocatedOutboundPorts"),
                    enable_tcp_reset=rule_props.opt_boolean("enableTcpReset"),
                )
            )
        balancing = [
            LoadBalancingRule(
                name=node.opt_string("name") or "",
                frontend_id=self.ref(properties_of(node), "frontendIPConfiguration"),
                disable_outbound_snat=bool(properties_of(node).opt_boolean("disableOutboundSnat")),
            )
            for node in props.opt_array("loadBalancingRules").items()
        ]
        return LoadBalancer(
            **self.common(row),
            sku=_sku(row),
            frontend_public_ip_ids=frontend_ips,
            frontend_public_prefix_ids=frontend_prefixes,
            outbound_rules=tuple(rules),
            rules=tuple(balancing),
        )


def _enabled(node: Node | None) -> bool:
    return node is not None and bool(node.opt_boolean("enabled"))


def _opt_section_string(node: Node | None, key: str) -> str | None:
    return None if node is None else node.opt_string(key)


def _opt_section_integer(node: Node | None, key: str) -> int | None:
    return None if node is None else node.opt_integer(key)


def _virtual_node_subnet(addons: Node | None) -> str | None:
    """The subnet of the ACI connector's virtual nodes: addon keys are matched without case,
    as AKS returns `aciConnectorLinux` and older clusters `ACIConnectorLinux`."""
    if addons is None:
        return None
    for name, addon in addons.entries():
        if name.lower() != "aciconnectorlinux" or not isinstance(addon.value, dict):
            continue
        if not addon.opt_boolean("enabled"):
            return None
        config = addon.opt_obj("config")
        return None if config is None else _config_value(config, "subnetname")
    return None


def _config_value(config: Node, lowered_key: str) -> str | None:
    for name, value in config.entries():
        if name.lower() == lowered_key and isinstance(value.value, str):
            return value.value or None
    return None


def _power_state(node: Node) -> PowerState | None:
    power = node.opt_obj("powerState")
    return None if power is None else PowerState.parse(power.opt_string("code"))


def _api_access(node: Node) -> ApiServerAccess:
    return ApiServerAccess(
        authorized_ip_ranges=node.strs("authorizedIPRanges"),
        private_cluster=bool(node.opt_boolean("enablePrivateCluster")),
        vnet_integration=bool(node.opt_boolean("enableVnetIntegration")),
    )
