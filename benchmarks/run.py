"""Measure egress-audit against its scale targets on synthetic estates.

    python -m benchmarks.run                        # 1,000, 10,000 and 20,000 clusters
    python -m benchmarks.run --sizes 1000,5000 --repeat 1 --no-browser     # a quick look

Every number comes from fresh processes, measured side by side in the same run:
- each report format (text, json, markdown, html, SARIF --sarif-full and --output-dir) at
  each size: wall and CPU time ÷ a plain `json.load` of the same snapshot, measured beside it
  in --repeat rounds (the median of the rounds' ratios), and peak RSS ÷ the snapshot's size
  on disk;
- linearity: the marginal CPU cost per cluster between consecutive sizes, and the ratio of the
  largest to the smallest;
- the HTML report in headless Chromium (benchmarks/browser.py): page size, first paint and
  first screen;
- SARIF for an estate spread over thousands of subscriptions (--spread);
- start-up of `egress-audit rules` and `--demo`.

The project's bytecode is written first, as an installed copy has it. It prints tables, the
targets met or not, and last one line of JSON for machines. It never fails on a missed target:
run it on an idle machine and read the numbers.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import measure
from benchmarks.measure import ROOT, Sample

FORMATS: dict[str, tuple[str, ...]] = {
    "text": ("--format", "text", "--output", "{out}.txt"),
    "json": ("--format", "json", "--output", "{out}.json"),
    "markdown": ("--format", "markdown", "--output", "{out}.md"),
    "html": ("--format", "html", "--output", "{out}.html"),
    "sarif --sarif-full": ("--format", "sarif", "--sarif-full", "--output", "{out}.sarif"),
    "sarif --output-dir": ("--format", "sarif", "--output-dir", "{out}-sarif"),
}
SPREAD_FORMATS = ("sarif --sarif-full", "sarif --output-dir")

# The targets of the scale issue (#15), printed next to what was measured.
TIME_RATIO = 2.0  # × json.load
RSS_RATIO = 3.0  # × the snapshot's size on disk
LINEARITY = 1.2  # the largest marginal cost per cluster ÷ the smallest
HTML_SECONDS = 2.0  # first screen in Chromium, at 10,000 clusters
HTML_MB = 15.0
TARGET_SIZE = 10_000


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="egress-audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    formats = [f for f in FORMATS if f in args.formats]
    measure.compile_bytecode()
    try:
        results: dict[str, Any] = {"machine": _machine(), "repeat": args.repeat, "sizes": {}}
        for clusters in args.sizes:
            results["sizes"][str(clusters)] = _size(work, clusters, 50, formats, args.repeat)
        if len(args.sizes) > 1:
            results["linearity"] = _linearity(results["sizes"], formats)
        if args.browser:
            results["html_browser"] = _browser(work, args.sizes, args.repeat)
        if args.spread:
            clusters, subscriptions = args.spread
            results["spread"] = _size(
                work, clusters, subscriptions, list(SPREAD_FORMATS), min(args.repeat, 3)
            )
        results["startup"] = _startup(work)
        results["targets"] = _targets(results)
        print()
        print(json.dumps(results, separators=(",", ":"), allow_nan=False))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1_000, 10_000, 20_000],
        help="cluster counts, comma-separated (default: 1000,10000,20000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds per size, runs per measure (median)"
    )
    parser.add_argument(
        "--formats",
        type=lambda text: [f.strip() for f in text.split(",")],
        default=list(FORMATS),
        help="comma-separated, of: " + ", ".join(FORMATS),
    )
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument(
        "--spread",
        type=lambda text: tuple(int(n) for n in text.split(":")),
        default=(10_000, 5_000),
        metavar="CLUSTERS:SUBSCRIPTIONS",
        help="SARIF over an estate spread thin (default: 10000:5000)",
    )
    parser.add_argument("--no-spread", dest="spread", action="store_const", const=None)
    parser.add_argument("--work", help="keep estates and reports here (reused when present)")
    return parser


def _machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "python": sys.version.split()[0],
    }


def _estate(work: Path, clusters: int, subscriptions: int) -> tuple[Path, int]:
    path = work / f"estate-{clusters}-{subscriptions}.json"
    rows_file = path.with_suffix(".rows")
    if not path.exists() or not rows_file.exists():
        # Built in a child, so this process stays small.
        made = subprocess.run(
            measure.python("-m", "benchmarks.estate", str(clusters), str(path), str(subscriptions)),
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        rows_file.write_text(made.stdout.split()[-1])
    return path, int(rows_file.read_text())


def _size(
    work: Path, clusters: int, subscriptions: int, formats: list[str], repeat: int
) -> dict[str, Any]:
    """Each format against `json.load`, in rounds: a round reads the file with `json.load`, then
    runs every format once, and a format's ratio is the median of its rounds' ratios. On this
    shared machine `json.load`'s own CPU time moves by a third from minute to minute (it
    allocates half a gigabyte of small objects); a yardstick measured beside each run follows
    those moves, one measured once up front does not."""
    snapshot, rows = _estate(work, clusters, subscriptions)
    size_mb = snapshot.stat().st_size / 1e6
    out = work / f"report-{clusters}-{subscriptions}"
    commands = {
        name: measure.egress_audit(
            "--snapshot", str(snapshot), *(flag.format(out=out) for flag in FORMATS[name])
        )
        for name in formats
    }
    loads: list[Sample] = []
    runs: dict[str, list[Sample]] = {name: [] for name in formats}
    for _ in range(max(1, repeat)):
        loads.append(measure.once(measure.json_load(snapshot)))
        for name, command in commands.items():
            runs[name].append(measure.once(command))
    load = measure.summary(loads)
    print(
        f"\n{clusters:,} clusters in {subscriptions:,} subscriptions · {rows:,} rows · "
        f"{size_mb:.1f} MB snapshot · json.load {load.seconds:.2f} s "
        f"(CPU {_spread(s.cpu_seconds for s in loads)} s), peak {load.peak_mb:.0f} MB · "
        f"{len(loads)} rounds, medians"
    )
    print(
        f"{'format':<22}{'seconds':>9}{'× load':>9}{'CPU s':>8}{'× load':>9}"
        f"{'peak MB':>9}{'× size':>9}   CPU × load per round"
    )
    measured: dict[str, Any] = {
        "clusters": clusters,
        "subscriptions": subscriptions,
        "rows": rows,
        "snapshot_mb": size_mb,
        "json_load": _sample(load),
        "formats": {},
    }
    for name in formats:
        sample = measure.summary(runs[name])
        rounds = list(zip(runs[name], loads, strict=True))
        time_ratio = statistics.median(run.seconds / base.seconds for run, base in rounds)
        cpu_ratios = [run.cpu_seconds / base.cpu_seconds for run, base in rounds]
        cpu_ratio = statistics.median(cpu_ratios)
        rss_ratio = sample.peak_mb / size_mb
        print(
            f"{name:<22}{sample.seconds:>9.2f}{time_ratio:>8.2f}×{sample.cpu_seconds:>8.2f}"
            f"{cpu_ratio:>8.2f}×{sample.peak_mb:>9.0f}{rss_ratio:>8.2f}×   "
            + " ".join(f"{r:.2f}" for r in cpu_ratios)
        )
        measured["formats"][name] = {
            **_sample(sample),
            "time_ratio": time_ratio,
            "cpu_ratio": cpu_ratio,
            "cpu_ratios": cpu_ratios,
            "rss_ratio": rss_ratio,
        }
    return measured


def _spread(values: Iterable[float]) -> str:
    ordered = sorted(values)
    middle = statistics.median(ordered)
    return (
        f"{middle:.2f}" if len(ordered) < 2 else f"{middle:.2f}, {ordered[0]:.2f}–{ordered[-1]:.2f}"
    )


def _sample(sample: Sample) -> dict[str, float]:
    return {"seconds": sample.seconds, "cpu_seconds": sample.cpu_seconds, "peak_mb": sample.peak_mb}


def _linearity(sizes: dict[str, Any], formats: list[str]) -> dict[str, Any]:
    """The marginal CPU cost per cluster between consecutive sizes: it excludes start-up, which
    a per-cluster average of the smallest size would be dominated by. CPU time, not wall time:
    a machine busy with other work moves wall time by more than the 1.2× margin."""
    counts = sorted(int(n) for n in sizes)
    steps = list(itertools.pairwise(counts))
    print(f"\nMarginal CPU per cluster (µs), {' · '.join(f'{a:,}→{b:,}' for a, b in steps)}")
    found: dict[str, Any] = {}
    for name in formats:
        seconds = {int(n): sizes[n]["formats"][name]["cpu_seconds"] for n in sizes}
        costs = [1e6 * (seconds[b] - seconds[a]) / (b - a) for a, b in steps]
        # Noise can make a step of small sizes cost nothing: then there is no ratio.
        ratio = max(costs) / min(costs) if min(costs) > 0 else None
        shown = "n/a" if ratio is None else f"{ratio:.2f}"
        print(f"{name:<22}" + "".join(f"{c:>10.0f}" for c in costs) + f"   ratio {shown}")
        found[name] = {"us_per_cluster": costs, "ratio": ratio}
    return found


def _browser(work: Path, sizes: list[int], repeat: int) -> dict[str, Any]:
    from benchmarks import browser

    if not browser.CHROMIUM.exists():
        print(f"\nHTML in Chromium: skipped ({browser.CHROMIUM} is not installed)")
        return {}
    print("\nHTML report in headless Chromium (median of first screens)")
    print(f"{'clusters':>10}{'page MB':>9}{'first paint s':>15}{'first screen s':>16}  rows")
    found: dict[str, Any] = {}
    for clusters in sizes:
        report = work / f"report-{clusters}-50.html"
        if not report.exists():
            continue
        runs = [_open_in_browser(report) for _ in range(max(1, repeat))]
        first = statistics.median(r["first_screen_s"] for r in runs)
        paint = statistics.median(r["first_paint_s"] or 0.0 for r in runs)
        seen = runs[0]
        print(
            f"{clusters:>10,}{seen['page_mb']:>9.1f}{paint:>15.2f}{first:>16.2f}  "
            f"{seen['info']}{'  ERRORS: ' + '; '.join(seen['errors']) if seen['errors'] else ''}"
        )
        found[str(clusters)] = {**seen, "first_screen_s": first, "first_paint_s": paint}
    return found


def _open_in_browser(report: Path) -> dict[str, Any]:
    done = subprocess.run(
        measure.python("-m", "benchmarks.browser", str(report)),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    opened: dict[str, Any] = json.loads(done.stdout)
    return opened


def _startup(work: Path) -> dict[str, float]:
    commands = {
        "python -c pass": measure.python("-c", "pass"),
        "egress-audit rules": measure.egress_audit("rules", "--output", str(work / "rules.txt")),
        "egress-audit --demo": measure.egress_audit(
            "--demo", "--fail-on", "never", "--output", str(work / "demo.txt")
        ),
    }
    found = {name: measure.median(command, 5).seconds for name, command in commands.items()}
    print("\nStart-up, median of 5: " + " · ".join(f"{n} {s:.2f} s" for n, s in found.items()))
    return found


def _targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the worst value measured for it, and whether it is met."""
    targets: list[dict[str, Any]] = []

    def target(name: str, worst: float | None, limit: float, unit: str) -> None:
        if worst is not None:
            targets.append({"target": name, "worst": worst, "limit": limit, "met": worst <= limit})
            verdict = "met" if worst <= limit else "NOT met"
            print(f"  {name:<58} {worst:>7.2f}{unit} (≤ {limit}{unit}) {verdict}")

    print("\nTargets")
    at_target = results["sizes"].get(str(TARGET_SIZE))
    if at_target:
        formats = at_target["formats"].values()
        target(
            f"time at {TARGET_SIZE:,} clusters, every format",
            max((f["time_ratio"] for f in formats), default=None),
            TIME_RATIO,
            "×",
        )
        target(
            f"CPU time at {TARGET_SIZE:,} clusters, every format",
            max((f["cpu_ratio"] for f in formats), default=None),
            TIME_RATIO,
            "×",
        )
        target(
            f"peak RSS at {TARGET_SIZE:,} clusters, every format",
            max((f["rss_ratio"] for f in formats), default=None),
            RSS_RATIO,
            "×",
        )
    if "linearity" in results:
        ratios = [f["ratio"] for f in results["linearity"].values() if f["ratio"] is not None]
        target("linearity (marginal CPU per cluster)", max(ratios, default=None), LINEARITY, "×")
    html = results.get("html_browser", {}).get(str(TARGET_SIZE))
    if html:
        target(
            f"HTML first screen at {TARGET_SIZE:,} clusters",
            html["first_screen_s"],
            HTML_SECONDS,
            " s",
        )
        target(f"HTML page at {TARGET_SIZE:,} clusters", html["page_mb"], HTML_MB, " MB")
    spread = results.get("spread")
    if spread:
        target(
            f"SARIF peak RSS, {spread['clusters']:,} clusters in "
            f"{spread['subscriptions']:,} subscriptions",
            max(f["rss_ratio"] for f in spread["formats"].values()),
            RSS_RATIO,
            "×",
        )
    return targets


if __name__ == "__main__":
    main()
