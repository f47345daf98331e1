"""The rules egress-audit runs: the built-ins, in catalogue order, plus installed plugins.

Built-in rules are discovered: every module of this package named like a rule ID (`egr001`,
`drf003`, …) must define `RULE`, a Rule whose ID is the module's name in upper case. Adding a
rule is adding its module (and its test); a module that breaks the convention fails on import
of this registry, so the suite fails too. Importing a rule module registers nothing by itself.

Plugins are other distributions that declare entry points in the `egress_audit.rules` group,
e.g. in their pyproject.toml:

    [project.entry-points."egress_audit.rules"]
    acme = "acme_rules:RULES"

The entry point names a Rule, an iterable of Rules, or a function without arguments that
returns either. They are loaded only when `all_rules()` is called.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

import rules as rules_package
from auditor.errors import AuditError
from auditor.model import Rule

PLUGIN_GROUP = "egress_audit.rules"

RULE_MODULE = re.compile(r"(?P<family>[a-z]+)(?P<number>\d{3})")

# Catalogue order of the rule families (egress-facts.md §8): A egress paths, B NAT gateway,
# C load balancer, D network plugin, E control plane, firewall and lifecycle; then the
# policy-driven rules and the drift rules. A family not listed here sorts after these.
FAMILIES = ("egr", "nat", "lb", "net", "api", "fw", "seg", "win", "life", "meta", "pol", "drf")


class RegistryError(Exception):
    """A module of the rules package that does not define its rule as the convention says."""


class PluginError(AuditError):
    """A rule plugin that cannot be loaded or clashes with another rule (exit code 2)."""


def discover(package: ModuleType = rules_package) -> tuple[Rule, ...]:
    """The rules of every rule module in `package`, in catalogue order."""
    found = []
    for module_info in pkgutil.iter_modules(package.__path__):
        match = RULE_MODULE.fullmatch(module_info.name)
        if match is None:
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise RegistryError(f"rule module {module.__name__} does not define RULE (a Rule)")
        if rule.meta.id != module_info.name.upper():
            raise RegistryError(
                f"rule module {module.__name__} defines rule {rule.meta.id}; "
                f"its module must be named {rule.meta.id.lower()}"
            )
        found.append(rule)
    return tuple(sorted(found, key=_catalogue_position))


def _catalogue_position(rule: Rule) -> tuple[int, str, int]:
    match = RULE_MODULE.fullmatch(rule.meta.id.lower())
    assert match is not None  # noqa: S101 - discover() only keeps IDs of that shape
    family = match["family"]
    rank = FAMILIES.index(family) if family in FAMILIES else len(FAMILIES)
    return rank, family, int(match["number"])


BUILTIN: tuple[Rule, ...] = discover()


def all_rules() -> tuple[Rule, ...]:
    """The built-in rules, then every installed plugin's rules (by entry point name)."""
    return (*BUILTIN, *plugin_rules(BUILTIN))


def plugin_rules(builtin: Iterable[Rule] = BUILTIN) -> list[Rule]:
    taken = {rule.meta.id: "built-in" for rule in builtin}
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
