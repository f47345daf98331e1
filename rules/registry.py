"""The rules egress-audit runs: the built-ins, in catalogue order, plus installed plugins."""

from __future__ import annotations

from auditor.model import Rule
from rules import (
    api001,
    egr001,
    lb001,
    lb002,
    lb003,
    life001,
    meta001,
    nat007,
    net001,
    net002,
    pol001,
    pol002,
    win001,
)

# Catalogue order (egress-facts.md §8): A egress paths, B NAT gateway, C load balancer,
# D network plugin, E control plane and lifecycle; then the policy-driven rules.
BUILTIN: tuple[Rule, ...] = (
    # A. egress paths
    egr001.RULE,
    # B. NAT gateway
    nat007.RULE,
    # C. load balancer outbound
    lb001.RULE,
    lb002.RULE,
    lb003.RULE,
    # D. network plugin
    net001.RULE,
    net002.RULE,
    # E. control plane, firewall, lifecycle
    api001.RULE,
    win001.RULE,
    life001.RULE,
    meta001.RULE,
    # policy-driven
    pol001.RULE,
    pol002.RULE,
)
