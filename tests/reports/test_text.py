"""The terminal report."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.arm import ResourceId
from auditor.result import AuditResult
from reports import html, markdown, text
from reports._bounded import MAX_LISTED
from reports.text import _wrap
from tests import estate_builder as b
from tests.reports import estates as e

S1 = e.sub(1)


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


def _one_cluster(unknown: int = 0) -> AuditResult:
    result = e.audit(e.estate(e.site(S1)))
    ids = tuple(ResourceId.of(b.pip_id(f"gone-{i:02d}", "rg-far", S1)) for i in range(unknown))
    return dataclasses.replace(result, unknown_ids=ids)


def test_counts_read_in_the_singular_for_one() -> None:
    lines = text.render(_one_cluster()).splitlines()
    assert lines[1] == "1 cluster, 1 node pool in 1 subscription"
    assert "1 cluster · 1 node pool · 1 subscription · source" in markdown.render(_one_cluster())
    assert "<dd>1 cluster · 1 node pool · 1 subscription</dd>" in html.render(_one_cluster())


def test_names_the_resources_not_in_the_snapshot() -> None:
    lines = text.render(_one_cluster(unknown=1)).splitlines()
    at = lines.index(
        "UNKNOWN: 1 referenced resource is not in the snapshot (out of scope or unreadable); "
        "paths through it are reported as unknown, not missing:"
    )
    assert lines[at + 1] == f"  {b.pip_id('gone-00', 'rg-far', S1)}"


def test_names_at_most_twenty_and_points_at_the_json_report_for_the_rest() -> None:
    lines = text.render(_one_cluster(unknown=MAX_LISTED + 5)).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("UNKNOWN: 25 referenced"))
    listed = lines[at + 1 : at + 1 + MAX_LISTED]
    assert listed == [f"  {b.pip_id(f'gone-{i:02d}', 'rg-far', S1)}" for i in range(MAX_LISTED)]
    assert lines[at + 1 + MAX_LISTED] == "  … and 5 more resources (see the JSON report)"
    one_more = text.render(_one_cluster(unknown=MAX_LISTED + 1))
    assert "  … and 1 more resource (see the JSON report)\n" in one_more
