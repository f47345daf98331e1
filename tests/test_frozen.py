"""`@frozen` makes the dataclass `dataclass(frozen=True, slots=True)` makes, with a faster
__init__ that accepts and sets the same."""

from __future__ import annotations

import copy
import dataclasses
import inspect

import pytest

from auditor.frozen import frozen


@frozen
class Base:
    a: int
    b: str = "b"
    c: dict[str, int] = dataclasses.field(default_factory=dict)
    d: int = dataclasses.field(default=4, init=False)
    e: list[int] = dataclasses.field(default_factory=list, init=False, compare=False)


@frozen
class Child(Base):
    f: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class PlainBase:
    a: int
    b: str = "b"
    c: dict[str, int] = dataclasses.field(default_factory=dict)
    d: int = dataclasses.field(default=4, init=False)
    e: list[int] = dataclasses.field(default_factory=list, init=False, compare=False)


@dataclasses.dataclass(frozen=True, slots=True)
class PlainChild(PlainBase):
    f: tuple[int, ...] = ()


def _fields(obj: object) -> list[tuple[str, object]]:
    return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((1,), {}), ((1, "x"), {"c": {"k": 1}}), ((), {"a": 2, "f": (1,)}), ((3, "y", {}, (2,)), {})],
)
def test_the_same_objects_as_a_frozen_dataclass(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    made, plain = Child(*args, **kwargs), PlainChild(*args, **kwargs)  # type: ignore[arg-type]
    assert _fields(made) == _fields(plain)
    assert repr(made) == repr(plain).replace("PlainChild", "Child")
    assert made == Child(*args, **kwargs)  # type: ignore[arg-type]
    assert dataclasses.replace(made, b="z").b == "z"
    assert copy.deepcopy(made) == made


def test_defaults_made_by_a_factory_are_made_anew() -> None:
    assert Child(1).c is not Child(1).c
    assert Child(1).e is not Child(1).e


def test_fields_cannot_be_assigned() -> None:
    made = Child(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.a = 2  # type: ignore[misc]


def test_arguments_are_checked_as_a_dataclass_checks_them() -> None:
    with pytest.raises(TypeError):
        Child()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Child(1, d=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Child(1, 2, 3, 4, 5)  # type: ignore[call-arg]
    assert list(inspect.signature(Child).parameters) == ["a", "b", "c", "f"]


def test_post_init_runs_after_the_fields_are_set() -> None:
    @frozen
    class Normalised:
        a: int
        b: int | None = None

        def __post_init__(self) -> None:
            if self.a < 0:
                object.__setattr__(self, "b", None)

    assert Normalised(-1, 5).b is None
    assert Normalised(1, 5).b == 5


def test_what_its_init_cannot_do_is_refused() -> None:
    with pytest.raises(TypeError, match="not supported"):

        @frozen
        class KeywordOnly:
            a: int = dataclasses.field(kw_only=True)


def test_a_field_without_default_after_one_with_is_refused_as_dataclasses_refuses_it() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @frozen
        class Misordered:
            a: int = 1
            b: int
