"""Where a day's run spends its time: Spark SQL executions, jobs and tasks per Dagster step.

    python -m benchmarks.profile [--rows 200 | --landing DIR] [--detail] [--workdir DIR]

Generates a tiny day (or takes `--landing`, an existing landing folder holding DAY,
such as the 1 GB day `python -m benchmarks --workdir W` keeps in W/landing/orders-1gb),
runs `lakehouse run` for it in this process with the Spark event log on (a copy of
`config/` with `spark.eventLog.*` added, so the project's files stay untouched) and a
temporary Dagster instance, then prints one line per step, the run's totals (Dagster
steps counted from the STEP_START events of its runs, Spark SQL executions from the
event log: the two counts figure 3 of `make bench` reports next to its time) and the CPU
seconds of the Python process and of the JVM. `--detail` lists every SQL execution of
every step.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.eventlog import (
    attribute,
    config_with_event_log,
    nested_sql_executions,
    started_steps,
    step_spans,
    table,
)
from benchmarks.pii import ensure_pii_keys
from benchmarks.workspace import DAY, Workspace, tiny_day


def jvm_cpu_seconds() -> float | None:
    """User + system CPU seconds of this process's Spark JVM, from /proc."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is None:
        return None
    pid = session.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profile(work: Path, rows: int, detail: bool, landing: Path | None = None) -> list[str]:
    from dagster import DagsterInstance

    from lakehouse_assets.cli.run_cmd import execute

    events, home = work / "events", work / "dagster"
    events.mkdir(parents=True)
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    os.environ.update({
        "LAKEHOUSE_CONFIG_DIR": str(config_with_event_log(work / "config", events)),
        "LAKEHOUSE_LANDING_ROOT": str(landing or tiny_day(Workspace(work), rows)),
        "LAKEHOUSE_ROOT": str(work / "lakehouse"),
        "DAGSTER_HOME": str(home),
    })
    began = time.perf_counter()
    rc = execute(DAY, DAY, echo=lambda line: None)
    wall = time.perf_counter() - began
    instance = DagsterInstance.get()
    run_ids = [r.run_id for r in instance.get_runs()]
    spans = step_spans(instance, run_ids)
    spark_work = attribute(spans, events)
    steps = started_steps(instance, run_ids)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    jvm = jvm_cpu_seconds()
    day = f"the day in {landing}" if landing else f"a {rows}-line day"
    return [
        *table(spans, spark_work, detail),
        "",
        f"lakehouse run of {day}: exit {rc}, {wall:.1f} s in process (JVM start included)",
        f"Dagster steps started: {len(steps)} in {len(run_ids)} run(s); "
        f"Spark SQL executions: {sum(len(w.sql) for w in spark_work.values())} "
        f"({nested_sql_executions(events)} nested in another, such as a Delta write's file-writing query)",
        f"CPU seconds: python {usage.ru_utime + usage.ru_stime:.1f}, JVM "
        f"{'unknown' if jvm is None else f'{jvm:.1f}'}; load average now {os.getloadavg()[0]:.1f}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    day = parser.add_mutually_exclusive_group()
    day.add_argument("--rows", type=int, default=200, help="orders lines of the generated day (default 200)")
    day.add_argument("--landing", type=Path, help=f"an existing landing folder with {DAY} (no day generated)")
    parser.add_argument("--detail", action="store_true", help="list every SQL execution per step")
    parser.add_argument("--workdir", type=Path, help="keep event log, instance and tables here")
    args = parser.parse_args(argv)
    if args.landing is not None and not (args.landing / "orders").is_dir():
        parser.error(f"--landing {args.landing}: no orders/ folder there (a landing root holds one folder per source)")
    ensure_pii_keys()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lakehouse-profile-"))
    try:
        print("\n".join(profile(work, args.rows, args.detail, args.landing)))
    finally:
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is not None:
            session.stop()  # closes the event log before its folder goes
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
