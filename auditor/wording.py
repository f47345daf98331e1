"""Counted nouns, written once for rule messages and every report."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str = "") -> str:
    """ "1 cluster", "2 clusters", "0 clusters"; `plural` for a noun that does not take an
    s ("1 address", "3 addresses")."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def are(count: int, noun: str, plural: str = "") -> str:
    """ "1 resource is", "2 resources are": a counted subject with its verb."""
    return f"{counted(count, noun, plural)} {'is' if count == 1 else 'are'}"
