"""A row's ID is split directly when it has the shape Azure writes, else through arm.parse: both
ways give the same subscription, resource group and name, and refuse the same IDs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import arm
from auditor.graph.rows import RowError, _scope

# The shape Azure writes, position by position; each position may also be something else.
_TEMPLATE = ["subscriptions", "S", "resourceGroups", "G", "providers", "NS", "t", "n", "c", "m"]
_ODD = ["", " ", "x ", "\t", "SUBSCRIPTIONS", "resourcegroups", "Providers"]


@st.composite
def _ids(draw: st.DrawFn) -> str:
    length = draw(st.integers(min_value=0, max_value=len(_TEMPLATE)))
    segments = [draw(st.sampled_from([_TEMPLATE[i]] * len(_ODD) + _ODD)) for i in range(length)]
    lead = draw(st.sampled_from(["/", "", "//", " /"]))
    return lead + "/".join(segments) + draw(st.sampled_from(["", "/", " "]))


def _by_parse(text: str) -> tuple[str, str, str] | None:
    parts = arm.parse(text)
    if not parts.subscription_id or not parts.resource_type:
        return None
    return parts.subscription_id, parts.resource_group, parts.name


def _by_scope(text: str) -> tuple[str, str, str] | None:
    try:
        return _scope(text)
    except RowError:
        return None


@settings(max_examples=500, derandomize=True, database=None)
@given(_ids())
def test_a_row_id_splits_as_arm_parse_splits_it(text: str) -> None:
    assert _by_scope(text) == _by_parse(text)


def test_the_shape_azure_writes() -> None:
    text = "/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/natGateways/ng"
    assert _scope(text) == ("S", "G", "ng") == _by_parse(text)
    assert _by_scope("/subscriptions//resourceGroups/G/providers/NS/t/n") is None
