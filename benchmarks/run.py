"""Measure the scale targets of DESIGN.md on a synthetic estate.

    python -m benchmarks.run [CLUSTERS]      # default 10,000 clusters

For each report format it runs `egress-audit --snapshot … --format F` in a fresh process and
compares against a plain `json.load` of the same file (also in a fresh process):
time (target: at most 3× the json.load time) and peak resident memory (target: at most 4×
the snapshot's size on disk). Run it on an idle machine; it prints a table, and never fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reports import Format

ROOT = Path(__file__).resolve().parents[1]


def _measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process (wait4 gives that child's own)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = 0  # reaped above; keep Popen from waiting again
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    clusters = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "estate.json"
        # Built in a child: the children's peak memory counts this process's size at fork.
        estate = [sys.executable, "-m", "benchmarks.estate", str(clusters), str(path)]
        made = subprocess.run(estate, cwd=ROOT, check=True, capture_output=True, text=True)
        rows = int(made.stdout.split()[-1])
        size = path.stat().st_size / 1e6
        load = [sys.executable, "-c", f"import json; json.load(open({str(path)!r}))"]
        load_time, load_peak = min((_measure(load) for _ in range(3)), key=lambda m: m[0])
        print(f"{clusters} clusters, {rows} rows, snapshot {size:.1f} MB on disk")
        print(f"json.load: {load_time:.2f} s, peak {load_peak:.0f} MB")
        print(f"{'format':<10}{'seconds':>9}{'× load':>8}{'peak MB':>9}{'× size':>8}")
        for fmt in Format:
            command = [
                sys.executable, "-m", "auditor", "--snapshot", str(path),
                "--format", fmt.value, "--output", str(Path(folder) / f"report.{fmt.value}"),
            ]  # fmt: skip
            seconds, peak = _measure(command)
            print(
                f"{fmt.value:<10}{seconds:>9.2f}{seconds / load_time:>8.1f}"
                f"{peak:>9.0f}{peak / size:>8.1f}"
            )


if __name__ == "__main__":
    main()
