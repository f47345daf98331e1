"""Golden reports of the bundled demo estate, compared byte for byte by tests/test_golden.py.

After an intended change (a new rule, a reworded message), regenerate them all with

    python -m tests.golden

and review the diff before committing. A golden is the CLI's output for its arguments.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from auditor.cli import main

DIR = Path(__file__).resolve().parent

# file name → the CLI arguments that produce it
GOLDENS: dict[str, tuple[str, ...]] = {
    "demo.sarif": ("--demo", "--format", "sarif"),
    "demo.md": ("--demo", "--format", "markdown"),
    "demo.html": ("--demo", "--format", "html"),
}


def render(name: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / name
        code = main([*GOLDENS[name], "--output", str(out)])
        if code not in (0, 1):
            raise RuntimeError(f"egress-audit {' '.join(GOLDENS[name])} exited {code}")
        return out.read_bytes()
