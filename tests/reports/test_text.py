"""The terminal report."""

from __future__ import annotations

from reports.text import _wrap


def test_wraps_at_spaces_and_keeps_names_whole() -> None:
    text = "Node pool batch sits in subnet vnet-spoke-checkout/snet-aks-batch, which has none."
    assert _wrap(text, 40, "  ") == [
        "  Node pool batch sits in subnet",
        "  vnet-spoke-checkout/snet-aks-batch,",
        "  which has none.",
    ]


def test_a_word_longer_than_the_line_stands_alone() -> None:
    long_id = "/subscriptions/" + "x" * 60
    assert _wrap(f"see {long_id} now", 30, "") == ["see", long_id, "now"]
