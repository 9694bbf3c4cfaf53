"""What the data-quality checks add to materializing one orders day.

    python -m benchmarks.checks [--gb-per-day 1.0 | --rows-per-day N] [--defects 0]
                                            [--repeat 1] [--workdir DIR]

Generates one day of landing files, materializes bronze/orders, silver/orders and
quarantine/orders without their checks (one run), then runs the checks of silver
and quarantine orders (the contracts, row accounting with the landed-line count,
quarantine share) on their own, against the day just written. Prints the step
times and the ratio checks / the step that materialized silver/orders; the target
is at most 15% on a ~1 GB day. Step times come from Dagster's step events, so run
start-up is not counted; steps are found by the assets they materialized, not by
name, so the figure survives steps being merged or renamed.
Defects are off by default: with any, the generator also re-delivers the day's
orders file, which would double the bytes read.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
from datetime import date
from pathlib import Path

DAY = date(2024, 1, 1)
ORDERS_TABLES = [["bronze", "orders"], ["silver", "orders"], ["quarantine", "orders"]]
BRONZE, SILVER = "bronze/orders", "silver/orders"


def step_seconds(result) -> dict[str, float]:
    from dagster import DagsterEventType

    return {e.step_key: e.event_specific_data.duration_ms / 1000 for e in result.all_events
            if e.event_type == DagsterEventType.STEP_SUCCESS}


def materialized_by(result) -> dict[str, list[str]]:
    """step key -> the tables ("layer/name") it materialized, in the run `result`."""
    from dagster import DagsterEventType

    found: dict[str, list[str]] = {}
    for e in result.all_events:
        if e.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            found.setdefault(e.step_key, []).append("/".join(e.asset_key.path))
    return found


def step_of(steps: dict[str, list[str]], table: str) -> str:
    return next(step for step, tables in steps.items() if table in tables)


def bench_definitions():
    """The code location plus two jobs: the orders tables without checks, and their checks alone."""
    from dagster import AssetKey, AssetSelection, Definitions, define_asset_job

    from lakehouse_assets.definitions import defs

    keys = [AssetKey(k) for k in ORDERS_TABLES]
    tables = define_asset_job("bench_orders_tables", AssetSelection.assets(*keys).without_checks())
    checks = define_asset_job("bench_orders_checks", AssetSelection.checks_for_assets(*keys[1:]))
    return Definitions.merge(defs, Definitions(jobs=[tables, checks]))


def run_bench(repeat: int) -> tuple[dict[str, float], dict[str, list[str]], list[float], list]:
    from dagster import DagsterEventType, DagsterInstance

    definitions, instance = bench_definitions(), DagsterInstance.ephemeral()
    tables = definitions.resolve_job_def("bench_orders_tables").execute_in_process(
        instance=instance, partition_key=DAY.isoformat())
    check_times, evaluations = [], []
    for _ in range(repeat):  # read-only: every repeat checks the same day
        checks = definitions.resolve_job_def("bench_orders_checks").execute_in_process(instance=instance)
        check_times.append(sum(step_seconds(checks).values()))
        evaluations = [e.event_specific_data for e in checks.all_events
                       if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    return step_seconds(tables), materialized_by(tables), check_times, evaluations


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checks")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--gb-per-day", type=float, default=None, help="orders CSV size of the day (default 1.0)")
    size.add_argument("--rows-per-day", type=int, default=None, help="orders lines of the day instead of a size")
    parser.add_argument("--defects", type=float, default=0.0, help="share of defective lines (default 0)")
    parser.add_argument("--repeat", type=int, default=1, help="times the checks run (median reported)")
    parser.add_argument("--workdir", default=None, help="where landing and lakehouse go (default: a temp dir)")
    args = parser.parse_args(argv)
    gb = args.gb_per_day if args.gb_per_day is not None or args.rows_per_day is not None else 1.0

    from lakehouse_assets.generate import generate

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-checks-"))
    summary = generate(DAY, 1, str(work / "landing"), rows_per_day=args.rows_per_day, gb_per_day=gb,
                       seed=1, defects=args.defects, progress=False)
    os.environ["LAKEHOUSE_LANDING_ROOT"] = str(work / "landing")
    os.environ["LAKEHOUSE_ROOT"] = str(work / "lakehouse")
    steps, tables, check_times, evaluations = run_bench(args.repeat)

    orders = summary.sources["orders"]
    checks = statistics.median(check_times)
    silver_step, bronze_step = step_of(tables, SILVER), step_of(tables, BRONZE)
    silver = steps[silver_step]
    both = sum(steps[s] for s in {silver_step, bronze_step})  # one step if they were merged
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"orders day: {orders.rows:,} lines, {orders.bytes / 1e9:.2f} GB in {orders.files} file(s); work dir {work}")
    for step, seconds in steps.items():
        print(f"{step:<24} {seconds:8.1f} s   (materializes {', '.join(tables.get(step, [])) or 'nothing'})")
    print(f"{'checks':<24} {checks:8.1f} s   runs: {', '.join(f'{t:.1f}' for t in check_times)}")
    print(f"checks / {silver_step} (the step writing {SILVER}): {checks / silver:.1%}   (target <= 15%)")
    print(f"checks / the steps writing {BRONZE} and {SILVER}: {checks / both:.1%}")
    for e in sorted(evaluations, key=lambda e: ("/".join(e.asset_key.path), e.check_name)):
        outcome = "passed" if e.passed else f"FAILED ({e.severity.value})"
        print(f"  {'/'.join(e.asset_key.path):<18} {e.check_name:<16} {outcome:<14} {e.description}")


if __name__ == "__main__":
    main()
