"""The rules egress-audit runs: the built-ins, in catalogue order, plus installed plugins.

Built-in rules are listed here explicitly; importing a rule module registers nothing. Plugins
are other distributions that declare entry points in the `egress_audit.rules` group, e.g. in
their pyproject.toml:

    [project.entry-points."egress_audit.rules"]
    acme = "acme_rules:RULES"

The entry point names a Rule, an iterable of Rules, or a function without arguments that
returns either. They are loaded only when `all_rules()` is called.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from auditor.drift import DriftRule
from auditor.errors import AuditError
from auditor.model import Rule
from rules import (
    api001,
    drf001,
    drf002,
    drf003,
    drf004,
    drf005,
    drf006,
    egr001,
    egr002,
    egr003,
    egr004,
    egr005,
    egr006,
    egr007,
    egr008,
    egr009,
    egr010,
    lb001,
    lb002,
    lb003,
    life001,
    meta001,
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
    net002,
    pol001,
    pol002,
    win001,
)

PLUGIN_GROUP = "egress_audit.rules"

# Catalogue order (egress-facts.md §8): A egress paths, B NAT gateway, C load balancer,
# D network plugin, E control plane and lifecycle; then the policy-driven rules.
BUILTIN: tuple[Rule, ...] = (
    # A. egress paths
    egr001.RULE,
    egr002.RULE,
    egr003.RULE,
    egr004.RULE,
    egr005.RULE,
    egr006.RULE,
    egr007.RULE,
    egr008.RULE,
    egr009.RULE,
    egr010.RULE,
    # B. NAT gateway
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


class PluginError(AuditError):
    """A rule plugin that cannot be loaded or clashes with another rule (exit code 2)."""


def listed_rules() -> tuple[Rule | DriftRule, ...]:
    """Every rule for the rule listing and reference: built-ins, drift rules, then plugins."""
    return (*BUILTIN, *DRIFT, *plugin_rules(BUILTIN))


def all_rules() -> tuple[Rule, ...]:
    """The built-in rules, then every installed plugin's rules (by entry point name)."""
    return (*BUILTIN, *plugin_rules(BUILTIN))


def plugin_rules(builtin: Iterable[Rule] = BUILTIN) -> list[Rule]:
    taken = {rule.meta.id: "built-in" for rule in builtin}
    taken.update((rule.meta.id, "built-in") for rule in DRIFT)
    found: list[Rule] = []
    for point in sorted(entry_points(group=PLUGIN_GROUP), key=lambda p: (p.name, p.value)):
        for rule in _load(point):
            owner = taken.get(rule.meta.id)
            if owner is not None:
                raise PluginError(
                    f"rule plugin {_describe(point)}: rule ID {rule.meta.id} is already taken by "
                    f"{owner} rule {rule.meta.id}"
                )
            taken[rule.meta.id] = f"plugin {point.name}"
            found.append(rule)
    return found


def _load(point: EntryPoint) -> list[Rule]:
    try:
        loaded = point.load()
        if callable(loaded) and not isinstance(loaded, Rule):
            loaded = loaded()
    except Exception as exc:  # a broken plugin is the user's input error, not our crash
        raise PluginError(
            f"rule plugin {_describe(point)} failed to load: {type(exc).__name__}: {exc}"
        ) from None
    items = [loaded] if isinstance(loaded, Rule) else loaded
    try:
        rules = list(items)
    except TypeError:
        rules = [items]
    for item in rules:
        if not isinstance(item, Rule):
            raise PluginError(
                f"rule plugin {_describe(point)} gave {type(item).__name__}, not a Rule "
                "(expected a Rule, an iterable of Rules, or a function returning them)"
            )
    return rules


def _describe(point: EntryPoint) -> str:
    return f"{point.name!r} ({point.value}, entry point group {PLUGIN_GROUP})"
