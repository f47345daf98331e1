"""Typed, line-aware reading of YAML documents (policy files, Kubernetes manifests).

PyYAML's composer keeps the position of every node; errors name file, line and key:
`egress-audit.yaml:12: clusters[0].workloads[0].max_idle_seconds: expected an integer`.

The composer is bounded (documented in README.md, "Input limits"): a file is data from
someone else, and a few hundred bytes of nested aliases can stand for billions of nodes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import yaml

from auditor.errors import InputError
from auditor.reader import MAX_INTEGER
from auditor.safetext import cap, has_surrogates, quoted, replace_surrogates, surrogate_warning

# Nodes that aliases may add to one document, each alias counting the whole node it names
# (so `[*a, *a]` over a 1,000-node `&a` adds 2,000): far above any real policy or manifest,
# far below what would exhaust memory or time.
MAX_ALIAS_NODES = 100_000
# Nesting of mappings and lists: real manifests (CRD schemas included) stay well below it,
# and it keeps every recursive walk far from Python's recursion limit.
MAX_DEPTH = 100


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
            at_key = YNode(self.source, self.path, key_node)
            # A key that is a list or mapping (perhaps an alias to a huge one) is never built.
            if not isinstance(key_node, yaml.ScalarNode):
                raise at_key.error("a key must be a string, not a list or mapping")
            key = _construct(at_key)
            if not isinstance(key, str):
                raise at_key.error(f"key {quoted(key)} must be a string")
            child = YNode(self.source, self._child_path(key), value_node)
            if allowed is not None and key not in allowed:
                expected = ", ".join(allowed)
                raise YNode(self.source, child.path, key_node).error(
                    f"unknown key {quoted(key)} (expected one of: {expected})"
                )
            if key in out:
                raise YNode(self.source, child.path, key_node).error(f"duplicate key {quoted(key)}")
            out[key] = child
        return out

    def key_lines(self) -> dict[str, int]:
        """The line of each key of a mapping (a block value starts on a later line than its
        key): one pass, for callers that need many."""
        if not isinstance(self.node, yaml.MappingNode):
            return {}
        lines: dict[str, int] = {}
        for key_node, _ in self.node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(key_node.value, int(key_node.start_mark.line) + 1)
        return lines

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
    tag, an integer past Python's digit limit) is an error at its line, not a crash, and so is
    a number no policy or manifest means (infinite, NaN, or beyond 2**53)."""
    try:
        # A fresh constructor each time: one kept across calls would keep every node it built.
        value = yaml.constructor.SafeConstructor().construct_object(node.node, deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise node.error(f"invalid value: {cap(problem, 200)}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise node.error("expected a finite number")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        raise node.error(f"number out of range (at most {MAX_INTEGER:,} either way)")
    return value


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with its composer bounded: alias expansion is counted as nodes
    are composed and refused past MAX_ALIAS_NODES (and an alias inside the node it names is
    refused outright), nesting is refused past MAX_DEPTH, and lone surrogates in scalars
    become U+FFFD (counted, for a warning)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}  # id(node) → nodes it stands for, aliases expanded
        self._added = 0
        self._depth = 0
        self.surrogates: list[int] = []  # the line of each scalar that held one

    def compose_document(self) -> yaml.Node | None:
        self._sizes = {}
        self._added = 0
        node: yaml.Node | None = super().compose_document()
        return node

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:  # the target is still being composed: a cycle
                    raise yaml.composer.ComposerError(
                        None, None, "an alias inside the node it names (a cycle)", event.start_mark
                    )
                self._added += size
                if self._added > MAX_ALIAS_NODES:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                        event.start_mark,
                    )
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                problem = f"nested deeper than {MAX_DEPTH} levels"
                raise yaml.composer.ComposerError(None, None, problem, mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is None:
            return None
        self._sizes[id(node)] = 1 + sum(self._sizes[id(child)] for child in _children(node))
        if isinstance(node, yaml.ScalarNode) and has_surrogates(node.value):
            node.value = replace_surrogates(node.value)
            self.surrogates.append(node.start_mark.line + 1)
        return node


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value


def compose_all(text: str, source: str, warnings: list[str] | None = None) -> list[YNode]:
    """Every document of a (multi-document) YAML text, or one line naming the error and its
    line. Lone surrogates are replaced and, when `warnings` is given, reported there."""
    _check_printable(text, source)
    loader = _BoundedLoader(text)
    nodes = []
    try:
        while loader.check_node():
            nodes.append(loader.get_node())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = cap(exc.problem or "", 200)
        raise InputError(f"{source}{line}", "", f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(source, "", f"invalid YAML: {cap(str(exc), 200)}") from None
    finally:
        loader.dispose()
    if loader.surrogates and warnings is not None:
        warnings.append(
            surrogate_warning(f"{source}:{loader.surrogates[0]}", len(loader.surrogates))
        )
    return [YNode(source, "", node) for node in nodes if node is not None]


def _check_printable(text: str, source: str) -> None:
    """YAML forbids control characters (NUL among them): name the line of the first, where
    PyYAML's reader names a character offset on a second line."""
    match = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if match is None:
        return
    line = text.count("\n", 0, match.start()) + 1
    raise InputError(
        f"{source}:{line}",
        "",
        f"invalid YAML: character U+{ord(match.group()):04X} is not allowed in YAML "
        "(a control character, or a byte that is not text)",
    )
