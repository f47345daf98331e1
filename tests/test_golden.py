"""The demo estate's reports equal the reviewed golden files, byte for byte."""

from __future__ import annotations

import json

import pytest

from tests.golden import DIR, GOLDENS, render
from tests.reports.sarif_checks import check_upload


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_matches_golden(name: str) -> None:
    expected = (DIR / name).read_bytes()
    assert render(name) == expected, (
        f"tests/golden/{name} is out of date: if the change is intended, run "
        "`python -m tests.golden` and review the diff"
    )


def test_golden_sarif_is_valid_for_github() -> None:
    text = (DIR / "demo.sarif").read_text(encoding="utf-8")
    check_upload(json.loads(text), text)
