"""Typed, path-aware reading of JSON documents.

Every accessor knows where it is in the document, so the first invalid field becomes one
line naming the file and the JSON path, e.g.
`snapshot.json: resources.microsoft.network/natgateways[3].properties.subnets: expected a list`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.errors import InputError

# Integers an estate holds are counts, ports, minutes: a larger one is not a real value (and
# one past Python's digit limit could not even be printed in a report).
MAX_INTEGER = 2**53 - 1

TYPE_NAMES = {  # how an error names the JSON type expected
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
}


class Node:
    """A JSON value and where it sits in its document.

    The path is built only when an error needs it: reading a large snapshot creates millions
    of nodes, almost none of which are ever reported."""

    __slots__ = ("_key", "_parent", "_root_path", "source", "value")

    def __init__(
        self,
        source: str,
        path: str,
        value: Any,
        parent: Node | None = None,
        key: str | int | None = None,
    ) -> None:
        self.source = source
        self.value = value
        self._root_path = path
        self._parent = parent
        self._key = key

    @property
    def path(self) -> str:
        if self._parent is None:
            return self._root_path
        if isinstance(self._key, int):
            return f"{self._parent.path}[{self._key}]"
        return self._parent._join(str(self._key))

    def _make(self, key: str | int, value: Any) -> Node:
        return Node(self.source, "", value, self, key)

    def error(self, problem: str, key: str | None = None) -> InputError:
        return InputError(self.source, self._join(key) if key is not None else self.path, problem)

    def _join(self, key: str) -> str:
        path = self.path
        return f"{path}.{key}" if path else key

    def _child(self, key: str, expected: type, optional: bool) -> Any:
        value = self.value
        if type(value) is not dict:
            raise self.error("expected an object")
        value = value.get(key)
        if value is None:
            if optional:
                return None
            raise self.error("missing", key)
        # bool is an int in Python; JSON keeps them apart.
        if type(value) is not expected and not (
            expected is not int and expected is not bool and isinstance(value, expected)
        ):
            raise self.error(f"expected {TYPE_NAMES[expected]}", key)
        return value

    def obj(self, key: str) -> Node:
        return self._make(key, self._child(key, dict, optional=False))

    def opt_obj(self, key: str) -> Node | None:
        value = self._child(key, dict, optional=True)
        return None if value is None else self._make(key, value)

    def section(self, key: str) -> Node:
        """An object that may be absent or null: both read as empty."""
        value = self._child(key, dict, optional=True)
        return self._make(key, {} if value is None else value)

    def array(self, key: str) -> Node:
        return self._make(key, self._child(key, list, optional=False))

    def opt_array(self, key: str) -> Node:
        """A list that may be absent or null: both read as empty."""
        value = self._child(key, list, optional=True)
        return self._make(key, [] if value is None else value)

    # The accessors below are the hot path of loading a snapshot (millions of calls): they read
    # the dict directly and build a Node or a path only to report an error.

    def _fields(self) -> dict[str, Any]:
        if type(self.value) is not dict:
            raise self.error("expected an object")
        return self.value

    def string(self, key: str) -> str:
        value = self._fields().get(key)
        if type(value) is str:
            return value
        raise self.error("missing" if value is None else "expected a string", key)

    def opt_string(self, key: str) -> str | None:
        value = self._fields().get(key)
        if value is None or type(value) is str:
            return value
        raise self.error("expected a string", key)

    def opt_integer(self, key: str) -> int | None:
        value = self._fields().get(key)
        if value is None or (type(value) is int and -MAX_INTEGER <= value <= MAX_INTEGER):
            return value
        raise self.error(_integer_problem(value), key)

    def integer(self, key: str) -> int:
        value = self._fields().get(key)
        if type(value) is int and -MAX_INTEGER <= value <= MAX_INTEGER:
            return value
        raise self.error("missing" if value is None else _integer_problem(value), key)

    def opt_boolean(self, key: str) -> bool | None:
        value = self._fields().get(key)
        if value is None or type(value) is bool:
            return value
        raise self.error("expected a boolean", key)

    def opt_ref(self, key: str) -> str | None:
        """A `{"id": ...}` sub-resource reference; absent, null and `{}` read as None."""
        ref = self.opt_obj(key)
        return None if ref is None else ref.opt_string("id")

    def refs(self, key: str) -> tuple[str, ...]:
        """A list of `{"id": ...}` references (null or absent reads as empty)."""
        items = self._list(key)
        found = []
        for item in items:
            ident = item.get("id") if type(item) is dict else None
            if type(ident) is not str:
                # Read them again through Nodes, which report the first bad one's path.
                return tuple(node.string("id") for node in self._make(key, items).items())
            found.append(ident)
        return tuple(found)

    def strs(self, key: str) -> tuple[str, ...]:
        """A list of strings (null or absent reads as empty)."""
        items = self._list(key)
        for index, item in enumerate(items):
            if type(item) is not str:
                raise self._make(key, items)._make(index, item).error("expected a string")
        return tuple(items)

    def _list(self, key: str) -> list[Any]:
        value = self._fields().get(key)
        if value is None:
            return []
        if type(value) is list:
            return value
        raise self.error("expected a list", key)

    def items(self) -> Iterator[Node]:
        if not isinstance(self.value, list):
            raise self.error("expected a list")
        for index, item in enumerate(self.value):
            yield self._make(index, item)

    def entries(self) -> Iterator[tuple[str, Node]]:
        if not isinstance(self.value, dict):
            raise self.error("expected an object")
        for key, value in self.value.items():
            yield key, self._make(key, value)


def _integer_problem(value: Any) -> str:
    if type(value) is int:
        return f"integer out of range (at most {MAX_INTEGER:,} either way)"
    return "expected an integer"
