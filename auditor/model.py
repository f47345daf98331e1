"""The data contract between graph, rules, engine and reporters: frozen dataclasses only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal

from auditor import arm
from auditor.frozen import frozen

if TYPE_CHECKING:
    from auditor.drift import Comparison
    from auditor.graph.estate import EgressGraph
    from auditor.policy import Policy


class Severity(Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {names})") from None


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}

Precision = Literal["very-high", "high", "medium", "low"]


class ResourceKind(Enum):
    """Each kind of thing on an egress path, with its ARM type and its one label."""

    CLUSTER = ("cluster", "microsoft.containerservice/managedclusters", "cluster")
    NODE_POOL = (
        "node-pool",
        "microsoft.containerservice/managedclusters/agentpools",
        "node pool",
    )
    VIRTUAL_NETWORK = ("virtual-network", "microsoft.network/virtualnetworks", "virtual network")
    SUBNET = ("subnet", "microsoft.network/virtualnetworks/subnets", "subnet")
    NAT_GATEWAY = ("nat-gateway", "microsoft.network/natgateways", "NAT gateway")
    PUBLIC_IP = ("public-ip", "microsoft.network/publicipaddresses", "public IP")
    PUBLIC_IP_PREFIX = (
        "public-ip-prefix",
        "microsoft.network/publicipprefixes",
        "public IP prefix",
    )
    ROUTE_TABLE = ("route-table", "microsoft.network/routetables", "route table")
    LOAD_BALANCER = ("load-balancer", "microsoft.network/loadbalancers", "load balancer")
    AZURE_FIREWALL = ("azure-firewall", "microsoft.network/azurefirewalls", "Azure Firewall")
    FIREWALL_POLICY = ("firewall-policy", "microsoft.network/firewallpolicies", "firewall policy")
    VIRTUAL_NETWORK_GATEWAY = (
        "virtual-network-gateway",
        "microsoft.network/virtualnetworkgateways",
        "virtual network gateway",
    )
    VIRTUAL_HUB = ("virtual-hub", "microsoft.network/virtualhubs", "virtual hub")
    # A route's next hop: a firewall or network virtual appliance, known by its private IP.
    APPLIANCE = ("appliance", "", "firewall / appliance")
    # The VNet AKS creates in a cluster's node resource group, found by name, not by ID.
    MANAGED_VIRTUAL_NETWORK = ("managed-virtual-network", "", "AKS-managed virtual network")
    RESOURCE = ("resource", "", "resource")

    def __init__(self, slug: str, arm_type: str, label: str) -> None:
        self.slug = slug
        self.arm_type = arm_type
        self.label = label

    @classmethod
    def of_type(cls, arm_type: str) -> ResourceKind:
        """The kind of an ARM type (lower-case); RESOURCE for a type egress-audit does not read."""
        return _KINDS_BY_TYPE.get(arm_type, cls.RESOURCE)

    @classmethod
    def of(cls, resource_id: arm.ResourceId) -> ResourceKind:
        return cls.of_type(resource_id.resource_type)


_KINDS_BY_TYPE = {kind.arm_type: kind for kind in ResourceKind if kind.arm_type}
ADDRESS_KINDS = frozenset({ResourceKind.PUBLIC_IP, ResourceKind.PUBLIC_IP_PREFIX})


class EgressKind(Enum):
    """How new outbound flows of a subnet reach the internet (egress-facts.md §1 table)."""

    UDR_APPLIANCE = ("udr-virtual-appliance", "route to firewall / appliance")
    # A 0.0.0.0/0 route whose next hop is an Azure Firewall found in the snapshot.
    AZURE_FIREWALL = ("azure-firewall", "route to Azure Firewall")
    UDR_GATEWAY = ("udr-virtual-network-gateway", "route to VNet gateway")
    NAT_GATEWAY = ("nat-gateway", "NAT gateway")
    NODE_PUBLIC_IP = ("node-public-ip", "node public IPs")
    LOAD_BALANCER = ("load-balancer", "load balancer outbound rules")
    # A Basic load balancer has no outbound rules: implicit SNAT on a rule's frontend [LB-OUT].
    BASIC_LOAD_BALANCER = ("basic-load-balancer", "Basic load balancer (implicit SNAT)")
    # No outbound rules, but load-balancing rules that SNAT: their frontends replace default
    # outbound access for the backend's nodes [LB-OUT].
    LOAD_BALANCING_RULES = ("load-balancing-rules", "load-balancing rule SNAT")
    # Pods annotated for a static egress gateway leave from the gateway pool's prefix [AKS-SEG].
    STATIC_EGRESS_GATEWAY = ("static-egress-gateway", "static egress gateway")
    DEFAULT_OUTBOUND = ("default-outbound-access", "default outbound access")
    BLACKHOLE = ("blackhole-route", "dropped (route to None)")
    NONE = ("none", "no egress")
    UNKNOWN = ("unknown", "unknown")

    def __init__(self, slug: str, label: str) -> None:
        self.slug = slug  # the kind in JSON and in HTML filters
        self.label = label

    @property
    def is_routed(self) -> bool:
        """A user-defined 0.0.0.0/0 route decides this path (it overrides a NAT gateway)."""
        return self in _ROUTED

    @property
    def is_appliance_route(self) -> bool:
        """A user-defined 0.0.0.0/0 route to an Azure Firewall or another appliance decides this
        path."""
        return self is EgressKind.UDR_APPLIANCE or self is EgressKind.AZURE_FIREWALL


_ROUTED = frozenset(
    {
        EgressKind.UDR_APPLIANCE,
        EgressKind.AZURE_FIREWALL,
        EgressKind.UDR_GATEWAY,
        EgressKind.BLACKHOLE,
    }
)


class Cause(Enum):
    """Why a path has no egress or is unknown, where reports show the cases differently."""

    BLOCKED_BY_NSG = "blocked by NSG"  # outbound type block: AKS's NSG rules deny the internet
    PRIVATE_SUBNET = "private subnet"  # defaultOutboundAccess false and no explicit method
    # Routes learned over BGP (ExpressRoute, VPN with BGP) reach the subnet: a 0.0.0.0/0
    # advertised from on-premises would override NAT and the system route, and Resource
    # Graph does not show learned routes.
    FORCED_TUNNELLING = "forced tunnelling"

    @property
    def label(self) -> str:
        return self.value


@frozen
class Hop:
    """One step of an egress path: a resource of a kind, or an appliance by its address."""

    kind: ResourceKind
    id: arm.ResourceId | None = None
    address: str | None = None  # the private IP of an appliance

    @classmethod
    def of(cls, kind: ResourceKind, resource_id: arm.ResourceId) -> Hop:
        return cls(kind, resource_id)

    @classmethod
    def address_of(cls, resource_id: arm.ResourceId) -> Hop:
        """A public IP or prefix hop, its kind read from the ID's type."""
        kind = ResourceKind.of(resource_id)
        return cls(kind if kind in ADDRESS_KINDS else ResourceKind.PUBLIC_IP, resource_id)


@frozen
class EgressPath:
    """The resolved egress of one subnet for one node pool.

    `public_ips` holds CIDRs (`/32` for single addresses); it is None when the addresses
    cannot be known from the snapshot (an unread hop, a virtual appliance, default outbound
    access). `reason` explains an unknown path or unknown addresses.
    """

    kind: EgressKind
    subnet_id: arm.ResourceId | None
    hops: tuple[Hop, ...] = ()
    device_id: arm.ResourceId | None = None
    public_ips: tuple[str, ...] | None = ()
    idle_timeout_minutes: int | None = None
    next_hop_ip: str | None = None
    reason: str = ""
    unknown_ids: tuple[arm.ResourceId, ...] = ()
    cause: Cause | None = None
    # Frontend addresses of load-balancing rules that SNAT for the nodes ([LB-OUT]): the
    # traffic may leave from these too, beside (or, for a Basic load balancer, instead of)
    # `public_ips`.
    may_leave_from: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # An unknown path has unknown addresses, never "none".
        if self.kind is EgressKind.UNKNOWN and self.public_ips is not None:
            object.__setattr__(self, "public_ips", None)

    @property
    def is_unknown(self) -> bool:
        return self.kind is EgressKind.UNKNOWN

    @property
    def addresses(self) -> tuple[str, ...] | None:
        """Every address the traffic may leave from: `public_ips` and `may_leave_from`;
        None when the path's own addresses are unknown."""
        if self.public_ips is None:  # unknown, as on every unknown path (__post_init__)
            return None
        if not self.may_leave_from:
            return self.public_ips
        return tuple(sorted({*self.public_ips, *self.may_leave_from}))

    @property
    def hop_ids(self) -> tuple[arm.ResourceId, ...]:
        """The resources on the path, in order (an appliance is known by address only)."""
        return tuple(hop.id for hop in self.hops if hop.id is not None)

    def hop(self, kind: ResourceKind) -> arm.ResourceId | None:
        """The first resource of a kind on the path."""
        return next((h.id for h in self.hops if h.kind is kind and h.id is not None), None)

    def describe(self) -> str:
        """One phrase for where the traffic leaves, for messages and reports."""
        ips = "unknown addresses" if self.public_ips is None else ", ".join(self.public_ips)
        device = self.device_id.name if self.device_id else ""
        match self.kind:
            case EgressKind.NAT_GATEWAY:
                return f"NAT gateway {device} ({ips or 'no public IP'})"
            case EgressKind.LOAD_BALANCER:
                return f"load balancer outbound rules ({ips or 'no public IP'})"
            case EgressKind.BASIC_LOAD_BALANCER if self.may_leave_from:
                frontends = ", ".join(self.may_leave_from)
                return f"a Basic load balancer's implicit SNAT (its rules' frontends {frontends})"
            case EgressKind.BASIC_LOAD_BALANCER:
                return (
                    "a Basic load balancer's implicit SNAT (no outbound rules; "
                    "the frontend IP of a load-balancing rule, or default outbound access)"
                )
            case EgressKind.LOAD_BALANCING_RULES:
                rules = ", ".join(self.may_leave_from) or "unknown addresses"
                return f"the frontends of load-balancing rules ({rules})"
            case EgressKind.NODE_PUBLIC_IP:
                return f"node public IPs ({ips})"
            case EgressKind.STATIC_EGRESS_GATEWAY:
                return f"static egress gateway pool {device} ({ips})"
            case EgressKind.UDR_APPLIANCE:
                appliance = f"virtual appliance {self.next_hop_ip or '(no next hop IP)'}"
                via = f" ({ips})" if self.public_ips else ""
                return f"a 0.0.0.0/0 route to {appliance}{via}"
            case EgressKind.AZURE_FIREWALL:
                return f"a 0.0.0.0/0 route to Azure Firewall {device} ({ips or 'no public IP'})"
            case EgressKind.UDR_GATEWAY:
                return "a 0.0.0.0/0 route to the virtual network gateway"
            case EgressKind.DEFAULT_OUTBOUND:
                return "default outbound access (an implicit IP that can change)"
            case EgressKind.BLACKHOLE:
                return "a 0.0.0.0/0 route to next hop None (dropped)"
            case EgressKind.NONE:
                return "nothing: no internet egress"
            case EgressKind.UNKNOWN:
                return f"an unknown path ({self.reason})"


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A file and line a finding came from (a manifest or the policy file)."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Suppression:
    rule_id: str
    resource_glob: str
    justification: str
    expires: str
    location: SourceLocation | None = None


@frozen
class Finding:
    rule_id: str
    severity: Severity
    resource_id: arm.ResourceId
    message: str
    remediation: str = ""
    observed: str | None = None
    expected: str | None = None
    evidence: tuple[arm.ResourceId, ...] = ()
    location: SourceLocation | None = None
    key: str = ""
    details: Mapping[str, str] = field(default_factory=dict)
    suppression: Suppression | None = None

    @property
    def fingerprint(self) -> str:
        material = f"{self.rule_id}|{self.resource_id.key}|{self.key}"
        return hashlib.sha256(material.encode()).hexdigest()

    @property
    def parts(self) -> arm.ResourceParts:
        return self.resource_id.parts

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-self.severity.rank, self.rule_id, self.resource_id.key, self.key)


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    name: str
    title: str
    severity: Severity
    description: str
    help_markdown: str
    remediation: str
    sources: tuple[str, ...]
    tags: tuple[str, ...] = ("security", "networking")
    precision: Precision = "high"
    # A drift rule: it compares the estate with a baseline, and runs only when one is given.
    needs_baseline: bool = False
    # Lower-case words a change record's property paths must contain to explain a finding of
    # this rule (e.g. "natgateway" in `properties.subnets[1].properties.natGateway.id`).
    history_hints: tuple[str, ...] = ()
    # When a finding takes another severity than `severity`, and which: "high when the policy
    # allowlists the NAT gateway's addresses". Every listing of the rule shows it after the
    # default (`severity_text`); tests/rules/test_catalogue.py holds it to what the rule emits.
    other_severities: str = ""

    @property
    def severity_text(self) -> str:
        """The default severity, and when a finding takes another: "medium; high when …"."""
        value: str = self.severity.value
        return f"{value}; {self.other_severities}" if self.other_severities else value

    def finding(
        self,
        resource_id: arm.ResourceId,
        message: str,
        *,
        severity: Severity | None = None,
        remediation: str = "",
        observed: str | None = None,
        expected: str | None = None,
        evidence: tuple[arm.ResourceId, ...] = (),
        location: SourceLocation | None = None,
        key: str = "",
        details: Mapping[str, str] | None = None,
    ) -> Finding:
        """A finding of this rule, at the rule's severity unless the finding raises it."""
        return Finding(
            rule_id=self.id,
            severity=self.severity if severity is None else severity,
            resource_id=resource_id,
            message=message,
            remediation=remediation,
            observed=observed,
            expected=expected,
            evidence=evidence,
            location=location,
            key=key,
            details={} if details is None else details,
        )


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything a rule may judge: the estate's graph, the policy, and — when a baseline is
    given — the egress facts of the baseline and of the estate, for the drift rules."""

    graph: EgressGraph
    policy: Policy
    drift: Comparison | None = None

    def compared(self) -> Comparison:
        """The baseline comparison; the engine runs drift rules only when there is one."""
        if self.drift is None:
            raise RuntimeError("a drift rule ran without a baseline")
        return self.drift


Check = Callable[[RuleContext], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: metadata, a pure check of one RuleContext, and optionally the frozen dataclass
    of its thresholds, whose defaults are the only copy of each (the policy file can override
    them)."""

    meta: RuleMeta
    check: Check
    config: type | None = None


@dataclass(frozen=True, slots=True)
class RuleError:
    rule_id: str
    message: str


@dataclass(frozen=True, slots=True)
class CollectionError:
    """A scope that could not be read; recorded in the snapshot and in every report."""

    scope: str
    status: int | None
    message: str
    subscriptions: tuple[str, ...] = ()
