"""Typed, line-aware reading of YAML documents (policy files, Kubernetes manifests).

PyYAML's composer keeps the position of every node; errors name file, line and key:
`egress-audit.yaml:12: clusters[0].workloads[0].max_idle_seconds: expected an integer`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import yaml

from auditor.errors import InputError

_constructor = yaml.constructor.SafeConstructor()


class YNode:
    __slots__ = ("node", "path", "source")

    def __init__(self, source: str, path: str, node: yaml.Node) -> None:
        self.source = source
        self.path = path
        self.node = node

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def error(self, problem: str) -> InputError:
        return InputError(f"{self.source}:{self.line}", self.path, problem)

    def _child_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    def mapping(self, allowed: tuple[str, ...] | None = None) -> dict[str, YNode]:
        """The entries of a mapping; a key outside `allowed` is an error naming it."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error("expected a mapping")
        out: dict[str, YNode] = {}
        for key_node, value_node in self.node.value:
            key = _construct(YNode(self.source, self.path, key_node))
            if not isinstance(key, str):
                raise YNode(self.source, self.path, key_node).error(f"key {key!r} must be a string")
            child = YNode(self.source, self._child_path(key), value_node)
            if allowed is not None and key not in allowed:
                expected = ", ".join(allowed)
                raise YNode(self.source, child.path, key_node).error(
                    f"unknown key {key!r} (expected one of: {expected})"
                )
            if key in out:
                raise YNode(self.source, child.path, key_node).error(f"duplicate key {key!r}")
            out[key] = child
        return out

    def key_line(self, key: str) -> int:
        """The line of a mapping's key (a block value starts on a later line than its key)."""
        if isinstance(self.node, yaml.MappingNode):
            for key_node, _ in self.node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    return int(key_node.start_mark.line) + 1
        return self.line

    def sequence(self) -> Iterator[YNode]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error("expected a list")
        for index, item in enumerate(self.node.value):
            yield YNode(self.source, f"{self.path}[{index}]", item)

    def scalar(self) -> Any:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error("expected a single value")
        return _construct(self)

    def text(self) -> str:
        """A scalar exactly as written (`true` is "true", `01` is "01"), for values that are
        strings to Azure whatever YAML would make of them."""
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error("expected a single value")
        return str(self.node.value)

    def string(self) -> str:
        value = self.scalar()
        if not isinstance(value, str) or not value.strip():
            raise self.error("expected a non-empty string")
        return value

    def integer(self, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.scalar()
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error("expected an integer")
        if minimum is not None and value < minimum:
            raise self.error(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise self.error(f"must be at most {maximum}")
        return value

    def number(self) -> float:
        value = self.scalar()
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error("expected a number")
        return float(value)

    def boolean(self) -> bool:
        value = self.scalar()
        if not isinstance(value, bool):
            raise self.error("expected true or false")
        return value

    def date(self) -> dt.date:
        value = self.scalar()
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error("expected a date (YYYY-MM-DD)")

    def strings(self) -> tuple[str, ...]:
        return tuple(item.string() for item in self.sequence())


def _construct(node: YNode) -> Any:
    """A scalar's value; a value YAML itself cannot build (an impossible date, a bad explicit
    tag) is an error at its line, not a crash."""
    try:
        return _constructor.construct_object(node.node, deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise node.error(f"invalid value: {problem}") from None


def compose_all(text: str, source: str) -> list[YNode]:
    """Every document of a (multi-document) YAML text, or one line naming the syntax error."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{source}{line}", "", f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(source, "", f"invalid YAML: {exc}") from None
    return [YNode(source, "", node) for node in nodes if node is not None]
