"""The rules egress-audit runs: the built-ins, in catalogue order, plus installed plugins."""

from __future__ import annotations

from auditor.model import Rule
from rules import (
    egr001,
    egr002,
    egr003,
    egr004,
    egr005,
    egr006,
    egr007,
    egr008,
    egr009,
    nat007,
    net001,
)

BUILTIN: tuple[Rule, ...] = (
    egr001.RULE,
    egr002.RULE,
    egr003.RULE,
    egr004.RULE,
    egr005.RULE,
    egr006.RULE,
    egr007.RULE,
    egr008.RULE,
    egr009.RULE,
    nat007.RULE,
    net001.RULE,
)
