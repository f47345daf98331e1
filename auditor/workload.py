"""A workload's declared egress needs, from the policy file or a Kubernetes manifest."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import SourceLocation


@dataclass(frozen=True, slots=True)
class Workload:
    """What a workload needs from its egress path.

    `location` points at the declaration of `max_idle_seconds` (or, when only the peak is
    declared, of `peak_connections_per_node`); `peak_location` at the peak's own declaration,
    so a finding driven by either need can point at the line that states it.
    """

    name: str
    max_idle_seconds: int | None = None
    peak_connections_per_node: int | None = None
    location: SourceLocation | None = None
    peak_location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """A StaticGatewayConfiguration from a manifest: the pods of `namespace` annotated with
    `kubernetes.azure.com/static-gateway-configuration: <name>` leave through gateway pool
    `pool`, from the public IP prefix `prefix_id` when the configuration names one (else from
    one AKS creates, which only the configuration's status inside the cluster shows) [AKS-SEG]."""

    name: str
    namespace: str
    pool: str
    prefix_id: str | None
    public: bool  # provisionPublicIps (default true); false: static private IPs
    location: SourceLocation
