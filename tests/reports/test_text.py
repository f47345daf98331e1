"""The terminal report."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _word_by_word(text: str, width: int, indent: str) -> list[str]:
    """The plain greedy wrap: each word joins the line while it fits."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, indent + line] if line else lines


@given(
    st.lists(st.sampled_from(["a", "bb", "x" * 30, " ", "  ", "\n", "\t", "\u3000"])).map("".join),
    st.integers(min_value=0, max_value=120),
    st.sampled_from(["", " " * 18, " " * 40]),
)
@settings(max_examples=300, derandomize=True, database=None)
def test_wraps_as_word_by_word_greedy_wrapping_does(text: str, width: int, indent: str) -> None:
    assert _wrap(text, width, indent) == _word_by_word(text, width, indent)
