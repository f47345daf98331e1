"""The rules egress-audit runs: the built-ins, in catalogue order, plus installed plugins."""

from __future__ import annotations

from auditor.model import Rule
from rules import egr001, egr010, nat007, net001

BUILTIN: tuple[Rule, ...] = (
    egr001.RULE,
    egr010.RULE,
    nat007.RULE,
    net001.RULE,
)
