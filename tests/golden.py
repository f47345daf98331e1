"""Golden files: expected report output kept in tests/golden/, compared byte for byte and
rewritten only by `pytest --update-goldens` (then reviewed as a diff)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, text: str, request: pytest.FixtureRequest) -> None:
    path = GOLDEN / name
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"{path} is missing: run pytest --update-goldens and review it"
    expected = path.read_bytes().decode("utf-8")
    if expected != text:
        diff = difflib.unified_diff(
            expected.splitlines(), text.splitlines(), f"golden/{name}", "output", lineterm=""
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(f"{name} differs from its golden (pytest --update-goldens to accept):\n{shown}")
