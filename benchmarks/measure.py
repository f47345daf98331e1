"""Measuring child processes: wall time and peak resident memory, the median of a few runs."""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu_seconds: float  # user + system: less disturbed than wall time by a busy machine
    peak_mb: float  # peak resident set size, in MB (10^6 bytes)
    code: int


def once(command: Sequence[str]) -> Sample:
    """One run of `command` in a fresh process, its output thrown away. wait4 gives the
    child's own peak memory (the benchmark process never counts)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        list(command), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped above: no second wait
    child.stderr.close()
    if child.returncode not in (0, 1):
        text = errors.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}: {text}")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, cpu, usage.ru_maxrss * 1024 / 1e6, child.returncode)


def median(command: Sequence[str], repeat: int) -> Sample:
    """The medians of `repeat` runs."""
    return summary([once(command) for _ in range(max(1, repeat))])


def summary(samples: Sequence[Sample]) -> Sample:
    """The medians of runs of one command."""
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.cpu_seconds for s in samples),
        statistics.median(s.peak_mb for s in samples),
        samples[0].code,
    )


def compile_bytecode() -> None:
    """Write the project's bytecode before measuring, as installing it does (pip compiles
    every module): where PYTHONDONTWRITEBYTECODE is set, as on this machine and in many CI
    images, each run would otherwise compile every module it imports again, about 0.15 s of
    CPU a run that no installed copy spends."""
    for package in ("auditor", "rules", "reports"):
        compileall.compile_dir(ROOT / package, quiet=1)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def json_load(path: Path) -> list[str]:
    """The yardstick: reading and decoding the same file with the standard library."""
    return python("-c", f"import json\nwith open({str(path)!r}, 'rb') as f: json.load(f)")


def egress_audit(*args: str) -> list[str]:
    """The CLI as `python -m auditor` runs it (the console script runs the same function)."""
    return python("-m", "auditor", *args)
