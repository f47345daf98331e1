"""Fixtures several test modules share: the demo's HTML report, rendered once per run."""

from __future__ import annotations

import pytest

from auditor.cli import main
from tests.htmltree import Element, parse


@pytest.fixture(scope="session")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    report = tmp_path_factory.mktemp("html") / "report.html"
    assert main(["--demo", "--format", "html", "--output", str(report)]) == 1  # findings by design
    return report.read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def demo(demo_html: str) -> Element:
    return parse(demo_html)
