"""Range checks shared by the rules' Config dataclasses (their __post_init__ calls these)."""

from __future__ import annotations


def require_positive(config: object, *names: str) -> None:
    for name in names:
        if getattr(config, name) <= 0:
            raise ValueError("must be greater than 0")


def require_not_negative(config: object, *names: str) -> None:
    for name in names:
        if getattr(config, name) < 0:
            raise ValueError("must not be negative")
