"""One measured workload in a process of its own: `python -m benchmarks.child TASK ARGS_JSON`.

Every timing of the ratio figures runs in a fresh process with a fresh JVM, so one
measurement cannot warm caches or fill the heap for the next, and the parent can
read the process's peak memory. The SparkSession is started before the clock
starts (figure 3 is the one that counts start-up); the last stdout line is
`BENCH_RESULT {json}` (`protocol.py`).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from benchmarks.bare import bare_copy
from benchmarks.incremental import measure
from benchmarks.protocol import RESULT_PREFIX, BenchFailure


def _session():
    from lakehouse_assets.resources.spark import build_spark_session
    from lakehouse_assets.settings import load_settings

    session = build_spark_session(load_settings())
    session.sparkContext.setLogLevel("ERROR")
    return session


ORDERS_TABLES = (["bronze", "orders"], ["silver", "orders"], ["quarantine", "orders"])


def _bench_defs():
    """The code location plus the orders jobs: bronze/orders; silver + quarantine orders (bronze
    read from its table); the three orders tables without their checks, and with them."""
    from dagster import AssetKey, AssetSelection, Definitions, define_asset_job

    from lakehouse_assets.definitions import defs

    def job(name: str, *keys: list[str], checks: bool = False):
        selection = AssetSelection.assets(*[AssetKey(k) for k in keys])
        return define_asset_job(name, selection if checks else selection.without_checks())

    return Definitions.merge(defs, Definitions(jobs=[
        job("bench_bronze_orders", ["bronze", "orders"]),
        job("bench_validate_orders", ["silver", "orders"], ["quarantine", "orders"]),
        job("bench_orders_unchecked", *ORDERS_TABLES),
        job("bench_orders_checked", *ORDERS_TABLES, checks=True),
    ]))


def _materialize(job_name: str, day: str):
    from dagster import DagsterInstance

    result = _bench_defs().resolve_job_def(job_name).execute_in_process(
        instance=DagsterInstance.ephemeral(), partition_key=day, raise_on_error=False)
    if not result.success:
        raise BenchFailure(f"{job_name} [{day}] failed")
    return result


def bare(csv_files: list[str], target: str) -> dict[str, Any]:
    return {"seconds": bare_copy(_session(), csv_files, target)}


def bronze(day: str) -> dict[str, Any]:
    _session()
    began = time.perf_counter()
    _materialize("bench_bronze_orders", day)
    return {"seconds": time.perf_counter() - began}


def daily(day: str) -> dict[str, Any]:
    """`lakehouse run` for one day, in process: every asset and check of the day, month and history."""
    from lakehouse_assets.cli.run_cmd import execute

    _session()
    lines: list[str] = []
    began = time.perf_counter()
    rc = execute(date.fromisoformat(day), date.fromisoformat(day), echo=lines.append)
    if rc != 0:
        raise BenchFailure(f"lakehouse run {day} exited with {rc}")
    return {"seconds": time.perf_counter() - began}


def validate(day: str) -> dict[str, Any]:
    """The step(s) writing silver/orders + quarantine/orders from bronze/orders on a day
    whose bronze is in place; also the bronze files and silver rows DuckDB is compared with."""
    from dagster import DagsterEventType

    from lakehouse_assets.io_managers.tables import DeltaTables
    from lakehouse_assets.settings import load_settings

    spark = _session()
    result = _materialize("bench_validate_orders", day)
    seconds = sum(e.event_specific_data.duration_ms / 1000 for e in result.all_events
                  if e.event_type == DagsterEventType.STEP_SUCCESS)  # its step(s), whatever they are called
    tables = DeltaTables(spark, load_settings().lakehouse_root)
    silver = tables.last_commit(["silver", "orders"])
    quarantine = tables.last_commit(["quarantine", "orders"])
    files = tables.read(["bronze", "orders"]).inputFiles()
    return {"seconds": seconds, "bronze_files": list(files),
            "silver_rows": silver.rows_written, "quarantine_rows": quarantine.rows_written}


def ingest_orders(day: str, checks: bool) -> dict[str, Any]:
    """The step(s) writing bronze, silver and quarantine orders of a day, with the three tables'
    checks selected or none: seconds per step, the tables each materialized, the checks evaluated."""
    from dagster import DagsterEventType

    _session()
    result = _materialize("bench_orders_checked" if checks else "bench_orders_unchecked", day)
    steps: dict[str, float] = {}
    tables: dict[str, list[str]] = {}
    evaluations = []
    for e in result.all_events:
        if e.event_type == DagsterEventType.STEP_SUCCESS:
            steps[e.step_key] = e.event_specific_data.duration_ms / 1000
        elif e.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            tables.setdefault(e.step_key, []).append("/".join(e.asset_key.path))
        elif e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            found = e.event_specific_data
            evaluations.append({"table": "/".join(found.asset_key.path), "check": found.check_name,
                                "passed": found.passed, "severity": found.severity.value,
                                "description": found.description})
    return {"seconds": sum(steps.values()), "steps": steps, "tables": tables, "evaluations": evaluations}


def incremental(start: str, days: int, repeat: int) -> dict[str, Any]:
    _session()
    return measure(date.fromisoformat(start), days, repeat)


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "bare": bare, "bronze": bronze, "daily": daily, "validate": validate, "incremental": incremental,
    "ingest_orders": ingest_orders,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in TASKS:
        print(f"usage: python -m benchmarks.child {{{','.join(TASKS)}}} ARGS_JSON", file=sys.stderr)
        return 2
    result = TASKS[argv[0]](**json.loads(argv[1]))
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
