"""`@frozen`: a frozen, slotted dataclass whose __init__ fills its slots directly.

The __init__ that dataclasses write for a frozen class assigns each field through
`object.__setattr__`, the frozen class's own __setattr__ refusing assignment: about 0.1 µs a
field more than a plain assignment. An estate of 10,000 clusters makes some 400,000 such
objects (payloads, IDs, paths), so this was a quarter of the time spent reading its rows. The
class made here is the same frozen dataclass (fields, equality, hashing, repr, replace(), the
refused assignment); only its __init__ sets each slot through the slot's descriptor, which
skips the attribute lookup, then calls __post_init__ if the class has one. Classes with what
that __init__ does not do (keyword-only fields, InitVar) are refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def frozen(cls: type[T], /) -> type[T]: ...
@overload
def frozen(*, eq: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: type[T] | None = None, /, *, eq: bool = True) -> Any:
    """`@frozen` or `@frozen(eq=False)`: dataclass(frozen=True, slots=True, eq=eq)."""

    def make(cls: type[T]) -> type[T]:
        # init=False: dataclasses would write and compile an __init__ only to have it replaced
        # (a sixth of the time it takes to import the payload classes, paid on every start).
        made: type[T] = dataclasses.dataclass(frozen=True, slots=True, eq=eq, init=False)(cls)
        made.__init__ = _init(made)  # type: ignore[method-assign]
        return made

    return make if cls is None else make(cls)


def _init(cls: type) -> Any:
    # The helpers' names start with `__frozen_`, which no field of ours does.
    namespace: dict[str, Any] = {"__frozen_missing": dataclasses.MISSING}
    parameters: list[str] = []
    body: list[str] = []
    for field in dataclasses.fields(cls):
        if field.kw_only or isinstance(field.type, dataclasses.InitVar):
            raise TypeError(f"{cls.__name__}.{field.name}: not supported by @frozen")
        name = field.name
        namespace[f"__frozen_set_{name}"] = _slot(cls, name).__set__
        if field.default_factory is not dataclasses.MISSING:
            namespace[f"__frozen_factory_{name}"] = field.default_factory
            value = f"__frozen_factory_{name}()"
            if field.init:
                parameters.append(f"{name}=__frozen_missing")
                value = f"{value} if {name} is __frozen_missing else {name}"
        elif field.default is not dataclasses.MISSING:
            namespace[f"__frozen_default_{name}"] = field.default
            value = f"__frozen_default_{name}"
            if field.init:
                parameters.append(f"{name}=__frozen_default_{name}")
                value = name
        else:
            if parameters and "=" in parameters[-1]:
                # As dataclasses says it (init=False above: it no longer writes the __init__).
                raise TypeError(f"non-default argument {name!r} follows default argument")
            parameters.append(name)
            value = name
        body.append(f"    __frozen_set_{name}(__frozen_self, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("    __frozen_self.__post_init__()")
    source = f"def __init__(__frozen_self, {', '.join(parameters)}):\n" + "\n".join(
        body or ["    pass"]
    )
    exec(source, namespace)  # noqa: S102 — source made above from the class's own fields
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _slot(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    raise TypeError(f"{cls.__name__}.{name}: no slot")
