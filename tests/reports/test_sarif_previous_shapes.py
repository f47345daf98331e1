"""A previous SARIF (`--sarif-previous`) with a wrong type anywhere: each node of a real
previous report, down to the last level the baseline reads, is replaced by values of every JSON
type. The result is a one-line input error naming the file and the JSON path of that node (or
of its parent, or of a part of the value put there), or, where the baseline does not read the
node, a valid report. Never a traceback, and never a report that copies a malformed part."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import InputError
from auditor.result import AuditResult
from reports import sarif, sarif_baseline
from tests.reports import estates as e
from tests.reports.sarif_checks import check_valid

S1 = e.sub(1)
WRONG: tuple[Any, ...] = ([1], {}, {"x": 1}, "x", "", 1, 0, 2.5, True, None)
# The parts of a run the baseline never reads: one mutation each at their top is enough.
UNREAD = ("tool", "invocations")

Path_ = tuple[str | int, ...]


def _before() -> AuditResult:
    return e.audit(e.estate(e.site(S1, kubenet=True, bare_pool=True)))


def _now() -> AuditResult:
    """The bare pool is gone: its previous result becomes absent and is copied."""
    return e.audit(e.estate(e.site(S1, kubenet=True)))


PREVIOUS: dict[str, Any] = json.loads(sarif.render_single(_before(), sarif.Options(full=True)))
NOW = _now()


def _nodes(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path below the document, but only the top of the parts nobody reads."""
    children: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, child in children:
        yield (*path, key)
        if not (len(path) == 2 and key in UNREAD):
            yield from _nodes(child, (*path, key))


def _dotted(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _related(one: str, other: str) -> bool:
    def within(inner: str, outer: str) -> bool:
        return inner == outer or inner.startswith((f"{outer}.", f"{outer}["))

    return within(one, other) or within(other, one)


def _replaced(path: Path_, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(PREVIOUS)
    node: Any = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return document


CASES = [(path, value) for path in _nodes(PREVIOUS) for value in WRONG]


def test_the_previous_report_has_results_to_match_and_to_carry_as_absent(tmp_path: Path) -> None:
    file = tmp_path / "previous.sarif"
    file.write_text(json.dumps(PREVIOUS))
    previous = sarif_baseline.load(file)
    full = json.loads(sarif.render_single(NOW, sarif.Options(full=True, previous=previous)))
    states = {r["baselineState"] for run in full["runs"] for r in run["results"]}
    assert states == {"unchanged", "absent"}
    assert len(CASES) > 500


def _id(value: Any) -> str:
    return _dotted(value) if isinstance(value, tuple) else json.dumps(value)


@pytest.mark.parametrize(("path", "value"), CASES, ids=_id)
def test_a_wrong_type_is_a_one_line_error_or_harmless(
    tmp_path: Path, path: Path_, value: Any
) -> None:
    file = tmp_path / "previous.sarif"
    file.write_text(json.dumps(_replaced(path, value)))
    try:
        baseline = sarif_baseline.load(file)
    except InputError as error:
        message = str(error)
        assert "\n" not in message
        assert message.startswith(f"{file}: ")
        where = message[len(f"{file}: ") :].split(": ", 1)[0]
        # The node, a parent that holds it, or a part of the value put there.
        assert _related(where, _dotted(path)), message
        return
    full = sarif.render_single(NOW, sarif.Options(full=True, previous=baseline))
    check_valid(json.loads(full))
