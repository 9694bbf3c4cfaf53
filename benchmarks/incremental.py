"""Incremental cost: the daily run of day N (N-1 days of history in place) against day 1.

    python -m benchmarks.incremental [--rows-per-day 20000] [--days 30] [--repeat 3]

Times the daily job (bronze -> fact and their checks, one day) for day 1 on an
empty lakehouse and for day N after days 1..N-1 were processed in one run. The
JVM is warmed first by a throw-away run. Repeats alternate: day 1 in a fresh
lakehouse, then day N re-materialized in place (re-runs are idempotent), so a
machine slow for a while slows both. Returns both lists, their paired ratios and
what day N's writes touched (files replaced against files in the table).
`make bench` runs `measure` as figure 4; this module's `main` is the same alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.memory import bench_env, run_child
from benchmarks.pii import ensure_pii_keys
from benchmarks.report import Figure, Target, seconds_list

START = date(2024, 1, 1)
INCREMENTAL_TARGET = Target(1.2)
TOUCHED_TABLES = ("silver/orders", "gold/fact_sales", "silver/dim_customer", "silver/dim_product")


def _daily_run(first: date, last: date) -> float:
    from dagster import DagsterInstance

    from lakehouse_assets.definitions import defs
    from lakehouse_assets.run_plan import DAILY_JOB, PlannedRun

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
    return f"{table}: {removed} of {files} file(s) replaced"


def measure(start: date, days: int, repeat: int) -> dict[str, Any]:
    """Day 1 and day `days` timings, under the lakehouse root of the environment (used as a
    work folder); landing files for `days` days from `start` must be in place."""
    work = Path(os.environ["LAKEHOUSE_ROOT"])
    last = start + timedelta(days=days - 1)

    def at(name: str) -> Path:
        os.environ["LAKEHOUSE_ROOT"] = str(work / name)
        return work / name

    at("warmup")
    _daily_run(start, start)  # JVM start, class loading, JIT: not part of either figure
    history = at("history")
    _daily_run(start, last - timedelta(days=1))
    first_day, last_day = [], []
    for i in range(repeat):
        at(f"day1-{i}")
        first_day.append(_daily_run(start, start))
        at("history")
        last_day.append(_daily_run(last, last))
    return {"day1": first_day, "dayn": last_day, "ratios": [n / d for n, d in zip(last_day, first_day)],
            "touched": [_touched(history, t) for t in TOUCHED_TABLES]}


def figure(landing: Path, lakehouse: Path, rows: int, days: int, repeat: int, echo=print):
    """Figure 4 of `make bench`, measured in a process of its own."""
    r = run_child("incremental", {"start": START.isoformat(), "days": days, "repeat": repeat},
                  bench_env(landing, lakehouse)).result
    for i, (d1, dn) in enumerate(zip(r["day1"], r["dayn"])):
        echo(f"  repeat {i + 1}/{repeat} day 1 {d1:6.1f} s, day {days} {dn:6.1f} s")
    return Figure("4", f"Day {days} / day 1 of the daily job ({rows:,} order lines a day, "
                       f"{days - 1} days of history in place)", "x", r["ratios"], INCREMENTAL_TARGET,
                  f"day 1 on an empty lakehouse {statistics.median(r['day1']):.1f} s (runs {seconds_list(r['day1'])}); "
                  f"day {days} {statistics.median(r['dayn']):.1f} s (runs {seconds_list(r['dayn'])}); "
                  "what day N's writes touched:", list(r["touched"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.incremental")
    parser.add_argument("--rows-per-day", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from lakehouse_assets.generate import generate

    ensure_pii_keys()
    work = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    generate(START, args.days, str(work / "landing"), rows_per_day=args.rows_per_day, seed=1, progress=False)
    os.environ["LAKEHOUSE_LANDING_ROOT"] = str(work / "landing")
    os.environ["LAKEHOUSE_ROOT"] = str(work / "lakehouse")
    r = measure(START, args.days, args.repeat)
    d1, dn = statistics.median(r["day1"]), statistics.median(r["dayn"])
    print(f"rows per day: {args.rows_per_day:,}, repeats: {args.repeat}, work dir {work}")
    print(f"day 1 (median): {d1:.1f} s   runs: {', '.join(f'{t:.1f}' for t in r['day1'])}")
    print(f"day {args.days} (median): {dn:.1f} s   runs: {', '.join(f'{t:.1f}' for t in r['dayn'])}")
    print(f"ratio day {args.days} / day 1 (median of paired runs): {statistics.median(r['ratios']):.2f}")
    for line in r["touched"]:
        print(line)


if __name__ == "__main__":
    main()
