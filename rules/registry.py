"""The rules egress-audit runs: the built-ins, in catalogue order, plus installed plugins."""

from __future__ import annotations

from auditor.drift import DriftRule
from auditor.model import Rule
from rules import drf001, drf002, drf003, drf004, drf005, drf006, egr001, egr010, nat007, net001

BUILTIN: tuple[Rule, ...] = (
    egr001.RULE,
    egr010.RULE,
    nat007.RULE,
    net001.RULE,
)

# Drift rules compare a baseline with the current estate (egress-audit drift, --baseline);
# they are not (graph, policy) rules, so they are listed apart from BUILTIN.
DRIFT: tuple[DriftRule, ...] = (
    drf001.RULE,
    drf002.RULE,
    drf003.RULE,
    drf004.RULE,
    drf005.RULE,
    drf006.RULE,
)
