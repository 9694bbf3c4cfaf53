"""`python -m benchmarks`: every figure, printed and written to docs/performance.md.

Order: the generator (no Spark), the orders day (figures 1, 2, 7), DuckDB on that
day's bronze (6), the same day on a local standalone cluster of one and two workers (8),
the tiny day (3), the incremental history (4). Landing data is
made first for each and is not timed. Nothing is written to the docs page unless
every selected figure was measured.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import daily, duckdb_orders, fixed, generator, incremental, scaling
from benchmarks.machine import describe as describe_machine
from benchmarks.options import BenchOptions, describe, parse
from benchmarks.pii import ensure_pii_keys
from benchmarks.protocol import BenchFailure
from benchmarks.report import Figure, print_figures, render, write_section
from benchmarks.workspace import Workspace, history, orders_day, tiny_day


def _step(title: str, echo) -> float:
    echo(f"==> {title}")
    return time.perf_counter()


def measure(options: BenchOptions, ws: Workspace, echo=print) -> list[Figure]:
    wanted = set(options.figures)
    found: list[Figure] = []
    if "generator" in wanted:
        _step("5: generator throughput", echo)
        found.append(generator.figure(options.generator_gb, options.repeat, echo))
    if wanted & {"bronze", "daily", "memory", "duckdb"}:
        _step(f"generating an orders day of {options.orders_gb:g} GB", echo)
        landing, csv_files = orders_day(ws, options.orders_gb)
        _step("1, 2, 7: bare copy, bronze ingest, daily run", echo)
        runs = daily.run_repeats(ws, landing, csv_files, options.day_repeats, echo)
        keep = {"bronze": "1", "daily": "2", "memory": "7"}
        found += [f for f in daily.figures(runs, csv_files) if any(f.number.startswith(keep[w]) for w in wanted
                                                                     if w in keep)]
        if "duckdb" in wanted:
            _step("6: bronze -> silver orders, Spark against DuckDB", echo)
            found.append(duckdb_orders.figure(ws, landing, runs.kept_lakehouse, options.day_repeats, echo))
    if "scaling" in wanted:
        _step(f"8: the {options.orders_gb:g} GB orders day on a standalone cluster, 1 worker against 2", echo)
        landing, csv_files = orders_day(ws, options.orders_gb)
        found.append(scaling.figure(ws, landing, csv_files, options.day_repeats, echo))
    if "fixed" in wanted:
        _step(f"3: fixed cost, a day of {options.tiny_rows} order lines (time, SQL executions, steps)", echo)
        found += fixed.measure(ws, tiny_day(ws, options.tiny_rows), options.tiny_rows, options.repeat, echo)
    if "incremental" in wanted:
        _step(f"4: day {options.incremental_days} against day 1, generating the history", echo)
        landing = history(ws, options.incremental_rows, options.incremental_days)
        found.append(incremental.figure(landing, ws.lakehouse("incremental"), options.incremental_rows,
                                        options.incremental_days, options.repeat, echo))
    return found


def report(options: BenchOptions, figures: list[Figure], command: str) -> str:
    from lakehouse_assets.settings import load_settings

    settings = load_settings()
    measured_on = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return render(figures, describe_machine(settings.spark.master, settings.env), measured_on,
                  describe(options), command)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    ensure_pii_keys()
    root = options.workdir or Path(tempfile.mkdtemp(prefix="lakehouse-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    try:
        figures = measure(options, Workspace(root))
    except BenchFailure as failure:
        print(f"bench: a measured run failed, nothing was written: {failure}", file=sys.stderr)
        return 1
    finally:
        if options.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print_figures(figures)
    command = "make bench QUICK=1" if options.quick else "make bench"
    section = report(options, figures, command)
    if options.docs is not None:
        write_section(options.docs, section)
        print(f"\nwrote the figures into {options.docs} ({time.perf_counter() - began:.0f} s in all)")
    else:
        print("\n" + section)
    return 0
