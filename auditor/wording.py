"""Counted nouns and shortened lists, written once for rule messages and every report."""

from __future__ import annotations

from collections.abc import Sequence


def counted(count: int, noun: str, plural: str = "") -> str:
    """ "1 cluster", "2 clusters", "0 clusters"; `plural` for a noun that does not take an
    s ("1 address", "3 addresses")."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def are(count: int, noun: str, plural: str = "") -> str:
    """ "1 resource is", "2 resources are": a counted subject with its verb."""
    return f"{counted(count, noun, plural)} {'is' if count == 1 else 'are'}"


def first_few(names: Sequence[str], shown: int = 3) -> str:
    """ "a, b, c and 2 more": a list for a sentence, the first few of a long one."""
    more = len(names) - shown
    listed = ", ".join(names[:shown])
    return f"{listed} and {more} more" if more > 0 else listed
