"""Enum values of the Azure and AKS APIs, parsed once where rows are read.

Each member's value is the API's spelling. Azure compares these values case-insensitively and
rows mix casings (`basic`, `Basic`), so `parse` does too; a value an enum does not know reads as
None, and the payload keeps the raw text wherever a rule or report must show it.
"""

from __future__ import annotations

from enum import Enum
from typing import Self, cast


class AzureValue(Enum):
    def __str__(self) -> str:
        """The API's spelling, so messages read as Azure writes the value."""
        value: str = self.value
        return value

    @classmethod
    def parse(cls, raw: str | None) -> Self | None:
        if raw is None:
            return None
        table = _TABLES.get(cls) or _table(cls)
        # Most rows spell a value as the API does; any other casing or spacing is looked up
        # lower-cased.
        found = table.get(raw) or table.get(raw.strip().lower())
        return cast("Self | None", found)


# Per enum: each member by its API spelling and by that spelling lower-cased.
_TABLES: dict[type[AzureValue], dict[str, AzureValue]] = {}


def _table(cls: type[AzureValue]) -> dict[str, AzureValue]:
    table: dict[str, AzureValue] = {}
    for member in cls:
        table[member.value] = member
        table[member.value.lower()] = member
    _TABLES[cls] = table
    return table


class OutboundType(AzureValue):
    """`networkProfile.outboundType` ([AKS-OT], [SDK])."""

    LOAD_BALANCER = "loadBalancer"
    USER_DEFINED_ROUTING = "userDefinedRouting"
    MANAGED_NAT_GATEWAY = "managedNATGateway"
    USER_ASSIGNED_NAT_GATEWAY = "userAssignedNATGateway"
    NONE = "none"
    BLOCK = "block"  # preview
    MANAGED_NAT_GATEWAY_V2 = "managedNATGatewayV2"  # preview

    @property
    def is_nat(self) -> bool:
        return self in _NAT_TYPES

    @property
    def is_managed_nat(self) -> bool:
        return self in _MANAGED_NAT_TYPES

    @property
    def is_isolated(self) -> bool:
        """`none` and `block` build no egress on purpose (network-isolated clusters)."""
        return self in (OutboundType.NONE, OutboundType.BLOCK)

    @property
    def is_preview(self) -> bool:
        return self in (OutboundType.BLOCK, OutboundType.MANAGED_NAT_GATEWAY_V2)


_NAT_TYPES = frozenset(
    {
        OutboundType.USER_ASSIGNED_NAT_GATEWAY,
        OutboundType.MANAGED_NAT_GATEWAY,
        OutboundType.MANAGED_NAT_GATEWAY_V2,
    }
)
_MANAGED_NAT_TYPES = frozenset(
    {OutboundType.MANAGED_NAT_GATEWAY, OutboundType.MANAGED_NAT_GATEWAY_V2}
)


class NetworkPlugin(AzureValue):
    AZURE = "azure"
    KUBENET = "kubenet"
    NONE = "none"


class LoadBalancerSku(AzureValue):
    """`networkProfile.loadBalancerSku`: AKS spells it in lower case."""

    STANDARD = "standard"
    BASIC = "basic"


class Sku(AzureValue):
    """`sku.name` of NAT gateways, public IPs, prefixes and load balancers."""

    BASIC = "Basic"
    STANDARD = "Standard"
    STANDARD_V2 = "StandardV2"


class PowerState(AzureValue):
    RUNNING = "Running"
    STOPPED = "Stopped"


class IpVersion(AzureValue):
    """`publicIPAddressVersion`, and the cluster's `ipFamilies`."""

    IPV4 = "IPv4"
    IPV6 = "IPv6"


class OsType(AzureValue):
    LINUX = "Linux"
    WINDOWS = "Windows"


class AgentPoolMode(AzureValue):
    SYSTEM = "System"
    USER = "User"
    GATEWAY = "Gateway"


class AllocationMethod(AzureValue):
    STATIC = "Static"
    DYNAMIC = "Dynamic"


class NextHopType(AzureValue):
    """A route's `nextHopType` ([UDR])."""

    VIRTUAL_APPLIANCE = "VirtualAppliance"
    # Equal-cost multipath across 2 to 64 appliances (`nextHop.nextHopIpAddresses`, API
    # 2025-07-01 and later).
    VIRTUAL_APPLIANCE_ECMP = "VirtualApplianceEcmp"
    VIRTUAL_NETWORK_GATEWAY = "VirtualNetworkGateway"
    VNET_LOCAL = "VnetLocal"
    INTERNET = "Internet"
    NONE = "None"

    @property
    def overrides_nat(self) -> bool:
        """A 0.0.0.0/0 route to an appliance or a VNet gateway takes precedence over the NAT
        gateway [NAT-OV]; `Internet` and `VnetLocal` are not documented to."""
        return self in (
            NextHopType.VIRTUAL_APPLIANCE,
            NextHopType.VIRTUAL_APPLIANCE_ECMP,
            NextHopType.VIRTUAL_NETWORK_GATEWAY,
        )


class GatewayType(AzureValue):
    """A virtual network gateway's `gatewayType`: both kinds can bring routes learned from
    on-premises into the virtual network (ExpressRoute always over BGP, VPN when BGP is on)."""

    VPN = "Vpn"
    EXPRESS_ROUTE = "ExpressRoute"
    LOCAL_GATEWAY = "LocalGateway"
