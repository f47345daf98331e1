"""The data contract between graph, rules, engine and reporters: frozen dataclasses only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal

from auditor import arm

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


class EgressKind(Enum):
    """How new outbound flows of a subnet reach the internet (egress-facts.md §1 table)."""

    UDR_APPLIANCE = "udr-virtual-appliance"
    UDR_GATEWAY = "udr-virtual-network-gateway"
    NAT_GATEWAY = "nat-gateway"
    NODE_PUBLIC_IP = "node-public-ip"
    LOAD_BALANCER = "load-balancer"
    DEFAULT_OUTBOUND = "default-outbound-access"
    BLACKHOLE = "blackhole-route"
    NONE = "none"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class EgressPath:
    """The resolved egress of one subnet for one node pool.

    `public_ips` holds CIDRs (`/32` for single addresses); it is None when the addresses
    cannot be known from the snapshot (an unread hop, a virtual appliance, default outbound
    access). `reason` explains an unknown path or unknown addresses.
    """

    kind: EgressKind
    subnet_id: str | None
    hops: tuple[str, ...] = ()
    device_id: str | None = None
    public_ips: tuple[str, ...] | None = ()
    idle_timeout_minutes: int | None = None
    next_hop_ip: str | None = None
    reason: str = ""
    unknown_ids: tuple[str, ...] = ()

    @property
    def is_unknown(self) -> bool:
        return self.kind is EgressKind.UNKNOWN

    def describe(self) -> str:
        """One phrase for where the traffic leaves, for messages and reports."""
        ips = "unknown addresses" if self.public_ips is None else ", ".join(self.public_ips)
        device = arm.parse(self.device_id).name if self.device_id else ""
        match self.kind:
            case EgressKind.NAT_GATEWAY:
                return f"NAT gateway {device} ({ips or 'no public IP'})"
            case EgressKind.LOAD_BALANCER:
                return f"load balancer outbound rules ({ips or 'no public IP'})"
            case EgressKind.NODE_PUBLIC_IP:
                return f"node public IPs ({ips})"
            case EgressKind.UDR_APPLIANCE:
                appliance = f"virtual appliance {self.next_hop_ip or '(no next hop IP)'}"
                via = f" ({ips})" if self.public_ips else ""
                return f"a 0.0.0.0/0 route to {appliance}{via}"
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


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    resource_id: str
    message: str
    remediation: str = ""
    observed: str | None = None
    expected: str | None = None
    evidence: tuple[str, ...] = ()
    location: SourceLocation | None = None
    key: str = ""
    details: Mapping[str, str] = field(default_factory=dict)
    suppression: Suppression | None = None

    @property
    def fingerprint(self) -> str:
        material = f"{self.rule_id}|{arm.key(self.resource_id)}|{self.key}"
        return hashlib.sha256(material.encode()).hexdigest()

    @property
    def parts(self) -> arm.ResourceParts:
        return arm.parse(self.resource_id)

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-self.severity.rank, self.rule_id, arm.key(self.resource_id), self.key)


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

    def finding(
        self,
        resource_id: str,
        message: str,
        *,
        severity: Severity | None = None,
        remediation: str = "",
        observed: str | None = None,
        expected: str | None = None,
        evidence: tuple[str, ...] = (),
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
