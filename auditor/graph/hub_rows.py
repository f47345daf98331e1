"""Rows of the resources that decide enterprise egress beyond the node subnet: Azure
Firewalls (with their classic rules), firewall policies and virtual network gateways, read
from their records (auditor/graph/hub_shapes.py) into the graph's payloads."""

from __future__ import annotations

from auditor.enums import GatewayType
from auditor.graph import hub_shapes as shapes
from auditor.graph.nodes import (
    Firewall,
    FirewallIpConfiguration,
    FirewallPolicy,
    FirewallRule,
    VirtualNetworkGateway,
)
from auditor.graph.rows import RowReader

# An absent or null object reads as an empty one.
_FIREWALL = shapes.FirewallProperties()
_IP_CONFIGURATION = shapes.FirewallIpConfigurationProperties()
_GATEWAY = shapes.VirtualNetworkGatewayProperties()
_GATEWAY_IP = shapes.GatewayIpConfigurationProperties()
_NETWORK_RULES = shapes.NetworkRuleCollectionProperties()
_APPLICATION_RULES = shapes.ApplicationRuleCollectionProperties()


def firewall(reader: RowReader, row: shapes.FirewallRow) -> Firewall:
    props = row.properties or _FIREWALL
    hub = props.hubIPAddresses
    hub_public = None if hub is None else hub.publicIPs
    return Firewall(
        *reader.common(row),
        ip_configurations=tuple(
            _firewall_ip_configuration(reader, entry.properties or _IP_CONFIGURATION)
            for entry in props.ipConfigurations or ()
        ),
        virtual_hub_id=reader.ref(props.virtualHub),
        hub_private_ip=None if hub is None else hub.privateIPAddress,
        hub_public_addresses=(
            ()
            if hub_public is None
            else tuple(entry.address for entry in hub_public.addresses or () if entry.address)
        ),
        hub_public_ip_count=None if hub_public is None else hub_public.count,
        policy_id=reader.ref(props.firewallPolicy),
        classic_rules=_classic_rules(props),
        management_ip_configuration=props.managementIpConfiguration is not None,
    )


def _firewall_ip_configuration(
    reader: RowReader, props: shapes.FirewallIpConfigurationProperties
) -> FirewallIpConfiguration:
    return FirewallIpConfiguration(
        private_ip=props.privateIPAddress,
        subnet_id=reader.ref(props.subnet),
        public_ip_id=reader.ref(props.publicIPAddress),
    )


def firewall_policy(reader: RowReader, row: shapes.FirewallPolicyRow) -> FirewallPolicy:
    return FirewallPolicy(*reader.common(row))


def virtual_network_gateway(
    reader: RowReader, row: shapes.VirtualNetworkGatewayRow
) -> VirtualNetworkGateway:
    props = row.properties or _GATEWAY
    gateway_type = props.gatewayType
    return VirtualNetworkGateway(
        *reader.common(row),
        gateway_type=GatewayType.parse(gateway_type),
        gateway_type_text=gateway_type,
        bgp_enabled=bool(props.enableBgp),
        subnet_ids=tuple(
            subnet
            for entry in props.ipConfigurations or ()
            if (subnet := reader.ref((entry.properties or _GATEWAY_IP).subnet))
        ),
    )


def _classic_rules(props: shapes.FirewallProperties) -> tuple[FirewallRule, ...]:
    """The classic (non-policy) rules a firewall row holds inline."""
    rules: list[FirewallRule] = []
    for network in props.networkRuleCollections or ():
        collection = network.properties or _NETWORK_RULES
        action = _action(collection.action)
        rules.extend(
            FirewallRule(
                kind="network",
                destinations=(
                    *(rule.destinationAddresses or ()),
                    *(rule.destinationFqdns or ()),
                    *(rule.destinationIpGroups or ()),
                ),
                fqdn_tags=(),
                action=action,
            )
            for rule in collection.rules or ()
        )
    for application in props.applicationRuleCollections or ():
        app_collection = application.properties or _APPLICATION_RULES
        action = _action(app_collection.action)
        rules.extend(
            FirewallRule(
                kind="application",
                destinations=rule.targetFqdns or (),
                fqdn_tags=rule.fqdnTags or (),
                action=action,
            )
            for rule in app_collection.rules or ()
        )
    return tuple(rules)


def _action(action: shapes.RuleAction | str | None) -> str:
    """A rule collection's action: `{"type": "Allow"}`, or a bare "Allow" in older rows."""
    if isinstance(action, str):
        return action
    return "" if action is None else action.type or ""
