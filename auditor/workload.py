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
