"""What the data-quality checks add to writing one orders day.

    python -m benchmarks.checks [--gb-per-day 1.0 | --rows-per-day N] [--defects 0]
                                [--repeat 1] [--workdir DIR] [--quick]

A check has no step of its own: it is measured inside the step that writes its table,
on the frame about to be written (write-audit-publish). So this times one step twice.
It generates one day of landing files, then runs the `ingest` step writing bronze/orders,
silver/orders and quarantine/orders, each run in a fresh process (a fresh JVM, the
SparkSession started before the clock) on an empty lakehouse: once with the three
tables' checks selected (landing schema; the contracts of silver and quarantine; row
accounting, which counts the landed lines again; quarantine share), once with none
(`AssetSelection.assets(...).without_checks()`). It prints both step times and the
ratio checked / unchecked: what the checks add (target: at most 15% on a ~1 GB day).
With --repeat N the two alternate, unchecked first, and medians are compared.

Step times come from Dagster's step events, so run start-up is not counted; steps are
found by the tables they materialized, not by name. With no checks selected the step
still measures silver and quarantine once (their row counts are the materializations'
`accounting/*` metadata), so the ratio is what selecting the checks costs on top of that.
Defects are off by default: with any, the generator also re-delivers the day's orders
file, which would double the bytes read. --quick (or BENCH_QUICK=1, as `make bench
QUICK=1` sets) makes a small day to check that the benchmark works, not a figure to quote.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

from benchmarks.memory import bench_env, run_child
from benchmarks.options import QUICK
from benchmarks.pii import ensure_pii_keys
from benchmarks.protocol import BenchFailure

DAY = date(2024, 1, 1)
SILVER = "silver/orders"
TARGET = 0.15


def step_of(steps: dict[str, list[str]], table: str) -> str:
    """The step that materialized `table` ("layer/name"), of step -> tables."""
    found = [step for step, tables in steps.items() if table in tables]
    if not found:
        raise BenchFailure(f"no step materialized {table}: {steps}")
    return found[0]


def run_variant(landing: Path, lakehouse: Path, checks: bool) -> dict:
    """One run of the step(s) writing the orders tables into an empty `lakehouse`, then dropped."""
    try:
        return run_child("ingest_orders", {"day": DAY.isoformat(), "checks": checks},
                         bench_env(landing, lakehouse)).result
    finally:
        shutil.rmtree(lakehouse, ignore_errors=True)  # a 1 GB day leaves about a GB of tables


def run_bench(work: Path, repeat: int, echo=print) -> tuple[list[dict], list[dict]]:
    """`repeat` runs without the checks and with them, alternating; (unchecked, checked) results."""
    unchecked, checked = [], []
    for i in range(repeat):
        for runs, checks in ((unchecked, False), (checked, True)):
            runs.append(run_variant(work / "landing", work / f"lakehouse-{'checked' if checks else 'unchecked'}-{i}",
                                    checks))
            step = step_of(runs[-1]["tables"], SILVER)
            echo(f"  repeat {i + 1}/{repeat} {'with' if checks else 'without':<7} checks: "
                 f"{runs[-1]['steps'][step]:7.1f} s ({step})")
    return unchecked, checked


def step_seconds(run: dict) -> float:
    """Seconds of the step writing silver/orders (bronze and quarantine with it)."""
    return run["steps"][step_of(run["tables"], SILVER)]


def quick_mode(flag: bool, environ=os.environ) -> bool:
    return flag or environ.get("BENCH_QUICK", "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.checks",
        description="Time the ingest step writing an orders day with its checks selected and without: "
                    "what the checks add.")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--gb-per-day", type=float, default=None,
                      help=f"orders CSV size of the day (default 1.0; {QUICK['orders_gb']:g} with --quick)")
    size.add_argument("--rows-per-day", type=int, default=None, help="orders lines of the day instead of a size")
    parser.add_argument("--defects", type=float, default=0.0, help="share of defective lines (default 0)")
    parser.add_argument("--repeat", type=int, default=1, help="runs with and without checks each (median reported)")
    parser.add_argument("--workdir", default=None, help="where landing and lakehouses go (default: a temp dir)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a small day (orders {QUICK['orders_gb']:g} GB) to check the benchmark works "
                             "(also BENCH_QUICK=1)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    quick = quick_mode(args.quick)
    gb = args.gb_per_day
    if gb is None and args.rows_per_day is None:
        gb = QUICK["orders_gb"] if quick else 1.0

    from lakehouse_assets.generate import generate

    ensure_pii_keys()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-checks-"))
    summary = generate(DAY, 1, str(work / "landing"), rows_per_day=args.rows_per_day, gb_per_day=gb,
                       seed=1, defects=args.defects, progress=False)
    try:
        unchecked, checked = run_bench(work, args.repeat)
    except BenchFailure as failure:
        print(f"bench checks: a measured run failed: {failure}", file=sys.stderr)
        return 1

    orders = summary.sources["orders"]
    without = statistics.median(step_seconds(r) for r in unchecked)
    with_checks = statistics.median(step_seconds(r) for r in checked)
    added = with_checks / without - 1
    last = checked[-1]
    if quick:
        print("quick mode: a small day to check that the benchmark works, not a figure to quote")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"orders day: {orders.rows:,} lines, {orders.bytes / 1e9:.2f} GB in {orders.files} file(s); work dir {work}")
    print(f"step writing {SILVER}: {step_of(last['tables'], SILVER)} "
          f"(materializes {', '.join(last['tables'][step_of(last['tables'], SILVER)])})")
    runs = ", ".join(f"{step_seconds(r):.1f}" for r in unchecked)
    print(f"{'without checks':<16} {without:8.1f} s   runs: {runs}")
    runs = ", ".join(f"{step_seconds(r):.1f}" for r in checked)
    print(f"{'with checks':<16} {with_checks:8.1f} s   runs: {runs}")
    print(f"with / without checks: {with_checks / without:.3f}; the checks add {added:.1%} "
          f"({with_checks - without:+.1f} s)   (target <= {TARGET:.0%})")
    for e in sorted(last["evaluations"], key=lambda e: (e["table"], e["check"])):
        outcome = "passed" if e["passed"] else f"FAILED ({e['severity']})"
        print(f"  {e['table']:<18} {e['check']:<16} {outcome:<14} {e['description']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
