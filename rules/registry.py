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
    nat001,
    nat002,
    nat003,
    nat004,
    nat005,
    nat006,
    nat007,
    nat008,
    nat009,
    nat010,
    nat011,
    nat012,
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
    nat001.RULE,
    nat002.RULE,
    nat003.RULE,
    nat004.RULE,
    nat005.RULE,
    nat006.RULE,
    nat007.RULE,
    nat008.RULE,
    nat009.RULE,
    nat010.RULE,
    nat011.RULE,
    nat012.RULE,
    net001.RULE,
)
