"""Start-up: a command imports what it uses. `egress-audit rules` builds no graph and reads no
estate or policy, so it loads neither networkx nor YAML; an offline audit never loads the Azure
SDK, and the text report no template engine. Checked by the modules a fresh process loaded,
never by timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_LOADED = """\
import json, sys
from auditor.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

AZURE = ("azure", "msal", "requests", "urllib3")
TEMPLATES = ("jinja2", "markupsafe")


def _loaded(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    seen = json.loads(done.stdout)
    assert seen["code"] in (0, 1), done.stderr
    return set(seen["modules"])


def _packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_rules_loads_no_graph_library_yaml_or_collector(fmt: str, tmp_path: Path) -> None:
    modules = _loaded("rules", "--format", fmt, "--output", str(tmp_path / "rules"))
    assert "rules.registry" in modules  # it did list the rules
    assert not _packages(modules) & {"networkx", "yaml", *AZURE, *TEMPLATES}
    assert not {m for m in modules if m.startswith(("auditor.collect", "reports."))}


def test_the_demo_loads_what_its_text_report_needs(tmp_path: Path) -> None:
    modules = _loaded("--demo", "--output", str(tmp_path / "demo.txt"))
    assert {"networkx", "yaml", "reports.text"} <= modules  # the graph, the policy, the report
    assert not _packages(modules) & {*AZURE, *TEMPLATES}
    # No other format's module (the text report's helpers, `reports._*`, it uses).
    formats = {m for m in modules if m.startswith("reports.") and not m.startswith("reports._")}
    assert formats == {"reports.text"}
    # Its flags name the collection's limits, not the client that collects.
    assert "auditor.collect.limits" in modules
    assert not modules & {
        "auditor.collect.client",
        "auditor.collect.collector",
        "auditor.collect.quota",
        "auditor.collect.schedule",
    }


def test_an_offline_html_report_loads_no_azure_sdk(tmp_path: Path) -> None:
    modules = _loaded("--demo", "--format", "html", "--output", str(tmp_path / "demo.html"))
    assert "jinja2" in modules
    assert not _packages(modules) & set(AZURE)
