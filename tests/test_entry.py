"""How the process ends: the console script ends right after its output is flushed, while
`main()` returns to in-process callers with the garbage collector as they left it."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli import main

ROOT = Path(__file__).resolve().parents[1]

# A process that registers an exit handler, then runs the console script's function.
_SCRIPT = """\
import atexit, sys
atexit.register(lambda: print("interpreter torn down", file=sys.stderr))
{prelude}
sys.argv = ["egress-audit", *sys.argv[1:]]
from auditor.cli import run
run()
"""


def _console(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(prelude=prelude), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("enabled", [True, False])
def test_main_leaves_the_garbage_collector_as_it_found_it(enabled: bool, tmp_path: Path) -> None:
    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        assert main(["--demo", "--format", "json", "--output", str(tmp_path / "a.json")]) == 1
        assert main(["--snapshot", str(tmp_path / "missing.json")]) == 2  # an error path too
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def test_the_console_script_ends_after_flushing_its_output(tmp_path: Path) -> None:
    report = tmp_path / "demo.json"
    assert main(["--demo", "--format", "json", "--output", str(report)]) == 1
    ended = _console("--demo", "--format", "json")
    assert ended.returncode == 1
    # Everything written to the pipe arrived, and the interpreter was not torn down.
    assert ended.stdout == report.read_text(encoding="utf-8")
    assert ended.stderr == ""


def test_a_usage_error_ends_the_same_way() -> None:
    ended = _console("--format", "nope")
    assert ended.returncode == 2
    assert ended.stdout == ""
    assert ended.stderr.startswith("egress-audit: error: argument --format/-f: invalid choice")
    assert "interpreter torn down" not in ended.stderr


def test_under_coverage_the_process_exits_normally() -> None:
    """Coverage saves its data in an exit handler: with coverage loaded, the script exits
    through the interpreter's own shutdown."""
    ended = _console(
        "rules", prelude="import types; sys.modules['coverage'] = types.ModuleType('coverage')"
    )
    assert ended.returncode == 0
    assert ended.stdout.startswith("ID ")
    assert ended.stderr == "interpreter torn down\n"


def test_the_console_script_does_not_restart_the_collector_it_ends_with() -> None:
    """Restarting it would scan every object the audit made, just before the process ends."""
    ended = _console(
        "--demo",
        "--format",
        "json",
        prelude='import gc; gc.enable = lambda: print("collector restarted", file=sys.stderr)',
    )
    assert ended.returncode == 1
    assert ended.stdout.startswith("{")
    assert ended.stderr == ""
