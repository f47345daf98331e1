"""Rows of the resources that decide enterprise egress beyond the node subnet: Azure
Firewalls (with their classic rules), firewall policies and virtual network gateways. Field
names follow the Azure REST API (tests/data/azure-rest-examples)."""

from __future__ import annotations

from auditor.enums import FirewallSku, GatewayType
from auditor.graph.nodes import (
    Firewall,
    FirewallIpConfiguration,
    FirewallPolicy,
    FirewallRule,
    VirtualNetworkGateway,
)
from auditor.graph.rows import RowReader, properties_of
from auditor.reader import Node


def firewall(reader: RowReader, row: Node) -> Firewall:
    props = properties_of(row)
    sku = props.opt_obj("sku")
    sku_text = None if sku is None else sku.opt_string("name")
    hub = props.opt_obj("hubIPAddresses")
    hub_public = None if hub is None else hub.opt_obj("publicIPs")
    configurations = tuple(
        _firewall_ip_configuration(reader, properties_of(node))
        for node in props.opt_array("ipConfigurations").items()
    )
    return Firewall(
        **reader.common(row),
        sku=FirewallSku.parse(sku_text),
        sku_text=sku_text,
        tier=None if sku is None else sku.opt_string("tier"),
        zones=row.strs("zones"),
        ip_configurations=configurations,
        virtual_hub_id=reader.ref(props, "virtualHub"),
        hub_private_ip=None if hub is None else hub.opt_string("privateIPAddress"),
        hub_public_addresses=(
            ()
            if hub_public is None
            else tuple(
                address
                for node in hub_public.opt_array("addresses").items()
                if (address := node.opt_string("address"))
            )
        ),
        hub_public_ip_count=None if hub_public is None else hub_public.opt_integer("count"),
        policy_id=reader.ref(props, "firewallPolicy"),
        classic_rules=_classic_rules(props),
        management_ip_configuration=props.opt_obj("managementIpConfiguration") is not None,
    )


def _firewall_ip_configuration(reader: RowReader, props: Node) -> FirewallIpConfiguration:
    return FirewallIpConfiguration(
        private_ip=props.opt_string("privateIPAddress"),
        subnet_id=reader.ref(props, "subnet"),
        public_ip_id=reader.ref(props, "publicIPAddress"),
    )


def firewall_policy(reader: RowReader, row: Node) -> FirewallPolicy:
    props = properties_of(row)
    return FirewallPolicy(
        **reader.common(row),
        base_policy_id=reader.ref(props, "basePolicy"),
        rule_collection_group_ids=reader.refs(props, "ruleCollectionGroups"),
    )


def virtual_network_gateway(reader: RowReader, row: Node) -> VirtualNetworkGateway:
    props = properties_of(row)
    gateway_type = props.opt_string("gatewayType")
    return VirtualNetworkGateway(
        **reader.common(row),
        gateway_type=GatewayType.parse(gateway_type),
        gateway_type_text=gateway_type,
        bgp_enabled=bool(props.opt_boolean("enableBgp")),
        default_site_id=reader.ref(props, "gatewayDefaultSite"),
        subnet_ids=tuple(
            subnet
            for node in props.opt_array("ipConfigurations").items()
            if (subnet := reader.ref(properties_of(node), "subnet"))
        ),
    )


def _classic_rules(props: Node) -> tuple[FirewallRule, ...]:
    """The classic (non-policy) rules a firewall row holds inline."""
    rules: list[FirewallRule] = []
    for kind, key in (
        ("network", "networkRuleCollections"),
        ("application", "applicationRuleCollections"),
    ):
        for collection in props.opt_array(key).items():
            collection_props = properties_of(collection)
            action = _action(collection_props)
            rules.extend(
                _classic_rule(kind, rule, action)
                for rule in collection_props.opt_array("rules").items()
            )
    return tuple(rules)


def _action(collection: Node) -> str:
    """A rule collection's action: `{"type": "Allow"}`, or a bare "Allow" in older rows."""
    raw = collection.value.get("action")
    if isinstance(raw, str):
        return raw
    node = collection.opt_obj("action")
    return "" if node is None else node.opt_string("type") or ""


def _classic_rule(kind: str, rule: Node, action: str) -> FirewallRule:
    if kind == "network":
        return FirewallRule(
            kind=kind,
            protocols=rule.strs("protocols"),
            destinations=(
                *rule.strs("destinationAddresses"),
                *rule.strs("destinationFqdns"),
                *rule.strs("destinationIpGroups"),
            ),
            ports=rule.strs("destinationPorts"),
            fqdn_tags=(),
            action=action,
        )
    protocols = tuple(
        f"{node.opt_string('protocolType') or ''}:{node.opt_integer('port') or ''}"
        for node in rule.opt_array("protocols").items()
    )
    return FirewallRule(
        kind=kind,
        protocols=protocols,
        destinations=rule.strs("targetFqdns"),
        ports=(),
        fqdn_tags=rule.strs("fqdnTags"),
        action=action,
    )
