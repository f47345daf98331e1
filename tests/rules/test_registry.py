"""Rule discovery: every rule module of the package is found, and a broken one fails loudly."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from rules import registry
from rules.registry import BUILTIN, RULE_MODULE, RegistryError, discover

RULES_DIR = Path(registry.__file__).parent
# Modules of the rules package that are not rules: shared helpers start with an underscore.
INFRASTRUCTURE = {"__init__", "registry", "reference"}

RULE_SOURCE = """
from auditor.model import Rule, RuleMeta, Severity

META = RuleMeta(
    id="{id}",
    name="example",
    title="An example",
    severity=Severity.LOW,
    description="d",
    help_markdown="h",
    remediation="r",
    sources=(),
)


def check(ctx):
    return iter(())


RULE = Rule(META, check)
"""


def test_every_module_of_the_package_is_a_registered_rule() -> None:
    registered = {rule.meta.id.lower() for rule in BUILTIN}
    for path in sorted(RULES_DIR.glob("*.py")):
        name = path.stem
        if name.startswith("_") or name in INFRASTRUCTURE:
            continue
        assert RULE_MODULE.fullmatch(name), f"rules/{path.name} is neither a rule nor private"
        assert name in registered, f"rules/{path.name} is not registered"


def test_the_catalogue_order() -> None:
    families = [RULE_MODULE.fullmatch(r.meta.id.lower())["family"] for r in BUILTIN]  # type: ignore[index]
    assert list(dict.fromkeys(families)) == [
        "egr", "nat", "lb", "net", "api", "fw", "seg", "win", "life", "meta", "pol", "drf"
    ]  # fmt: skip
    assert [r.meta.id for r in BUILTIN[:3]] == ["EGR001", "EGR002", "EGR003"]


@pytest.fixture
def package(tmp_path: Path) -> Iterator[tuple[ModuleType, Path]]:
    root = tmp_path / "scratch_rules"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "_helpers.py").write_text("X = 1\n")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("scratch_rules"), root
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("scratch_rules")]:
            del sys.modules[name]


def test_a_new_rule_module_is_discovered(package: tuple[ModuleType, Path]) -> None:
    module, root = package
    (root / "zzz001.py").write_text(textwrap.dedent(RULE_SOURCE.format(id="ZZZ001")))
    (root / "egr900.py").write_text(textwrap.dedent(RULE_SOURCE.format(id="EGR900")))
    assert [r.meta.id for r in discover(module)] == ["EGR900", "ZZZ001"]


def test_a_rule_module_without_its_rule_fails(package: tuple[ModuleType, Path]) -> None:
    module, root = package
    (root / "egr901.py").write_text("META = None\n")
    with pytest.raises(RegistryError, match=r"scratch_rules\.egr901 does not define RULE"):
        discover(module)


def test_a_rule_module_named_after_another_id_fails(package: tuple[ModuleType, Path]) -> None:
    module, root = package
    (root / "egr902.py").write_text(textwrap.dedent(RULE_SOURCE.format(id="EGR903")))
    with pytest.raises(RegistryError, match="must be named egr903"):
        discover(module)
