"""Incremental cost: the daily run of day 30 (29 days of history in place) against day 1.

    python -m lakehouse_assets.bench.incremental [--rows-per-day 20000] [--repeat 3]

Generates 30 days, warms the JVM with a throw-away run, then times the daily job
(bronze -> fact, one day) for day 1 on an empty lakehouse and for day 30 after
days 1..29 were processed. Each figure is the median over `--repeat` runs: day 1
in a fresh lakehouse each time, day 30 re-materialized in place (re-runs are
idempotent). Prints both medians, the ratio, and what the dimension merges and
the fact write touched on day 30 (files rewritten vs files in the table).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

START = date(2024, 1, 1)
DAYS = 30


def _daily_run(first: date, last: date) -> float:
    from dagster import DagsterInstance

    from lakehouse_assets.cli.run_cmd import PlannedRun
    from lakehouse_assets.definitions import defs
    from lakehouse_assets.jobs import DAILY_JOB

    run = PlannedRun(DAILY_JOB, first.isoformat(), last.isoformat())
    began = time.perf_counter()
    result = defs.resolve_job_def(DAILY_JOB).execute_in_process(
        instance=DagsterInstance.ephemeral(), tags=run.tags, raise_on_error=True)
    assert result.success
    return time.perf_counter() - began


def _touched(lakehouse: Path, table: str) -> str:
    from delta.tables import DeltaTable

    from lakehouse_assets.resources.spark import build_spark_session
    from lakehouse_assets.settings import load_settings

    spark = build_spark_session(load_settings())
    path = str(lakehouse / table)
    metrics = DeltaTable.forPath(spark, path).history(1).collect()[0]["operationMetrics"]
    files = DeltaTable.forPath(spark, path).detail().collect()[0]["numFiles"]
    removed = metrics.get("numRemovedFiles", metrics.get("numTargetFilesRemoved", "0"))
    return f"{table}: {removed} file(s) replaced of {files}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lakehouse_assets.bench.incremental")
    parser.add_argument("--rows-per-day", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from lakehouse_assets.generate import generate

    work = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    landing = work / "landing"
    generate(START, DAYS, str(landing), rows_per_day=args.rows_per_day, seed=1, progress=False)
    os.environ["LAKEHOUSE_LANDING_ROOT"] = str(landing)
    day30 = START + timedelta(days=DAYS - 1)

    os.environ["LAKEHOUSE_ROOT"] = str(work / "warmup")
    _daily_run(START, START)  # JVM start, class loading, JIT: not part of either figure

    day1 = []
    for i in range(args.repeat):
        os.environ["LAKEHOUSE_ROOT"] = str(work / f"day1-{i}")
        day1.append(_daily_run(START, START))

    lakehouse = work / "history"
    os.environ["LAKEHOUSE_ROOT"] = str(lakehouse)
    _daily_run(START, day30 - timedelta(days=1))
    later = [_daily_run(day30, day30) for _ in range(args.repeat)]

    d1, d30 = statistics.median(day1), statistics.median(later)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"rows per day: {args.rows_per_day:,}, repeats: {args.repeat}")
    print(f"day 1 daily run (median): {d1:.1f} s   runs: {', '.join(f'{t:.1f}' for t in day1)}")
    print(f"day 30 daily run (median): {d30:.1f} s   runs: {', '.join(f'{t:.1f}' for t in later)}")
    print(f"ratio day 30 / day 1: {d30 / d1:.2f}")
    for table in ("silver/dim_customer", "silver/dim_product", "gold/fact_sales", "silver/orders"):
        print(_touched(lakehouse, table))


if __name__ == "__main__":
    main()
