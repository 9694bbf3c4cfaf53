"""Figure 3: the fixed cost of a run, a tiny day end to end as a user runs it, and how much
work that run is.

`lakehouse run --start D --end D` in a subprocess, timed from process start to
exit: Python and Dagster imports, JVM start, every asset and check of the day,
the month and the lifetime table. Runs are recorded in a fresh Dagster instance
(`DAGSTER_HOME`, as `make run` does), so the instance's storage is counted too.

The run writes a Spark event log (`eventlog.config_with_event_log`, the way
`python -m benchmarks.profile` runs), so next to its time the figure reports
how many Spark SQL executions it started (3b) and how many Dagster steps it
executed (3c, the STEP_START events of its runs in the instance's event log).
Counts do not depend on the machine's load; the time does.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.eventlog import config_with_event_log, nested_sql_executions, sql_executions, started_steps
from benchmarks.memory import ProcessRun, bench_env, run_measured
from benchmarks.report import Figure, Target, seconds_list
from benchmarks.workspace import DAY, Workspace

FIXED_TARGET = Target(45.0)
SQL_TARGET = Target(90)
TIMEOUT_SECONDS = 1800
LOG_SETTLE_SECONDS = 30  # the JVM's shutdown hook closes the event log after the Python process exits


@dataclass(frozen=True)
class TinyDayRun:
    """One `lakehouse run` of the tiny day: the process, and what its logs counted."""

    process: ProcessRun
    sql_executions: int
    steps: int
    runs: int
    nested_sql_executions: int = 0  # of sql_executions, those run inside another (a Delta write's)


def lakehouse_command() -> list[str]:
    """The installed `lakehouse` script next to this Python, else the module behind it."""
    script = Path(sys.executable).parent / "lakehouse"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from lakehouse_assets.cli.main import main; sys.exit(main())"]


def count_steps(home: Path) -> tuple[int, int]:
    """(STEP_START events, runs) in the Dagster instance at `home`."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        run_ids = [r.run_id for r in instance.get_runs()]
        return len(started_steps(instance, run_ids)), len(run_ids)


def count_sql(events: Path) -> tuple[int, int]:
    """SQL executions in the event log and how many of them were nested, once the JVM has
    closed it (its `.inprogress` suffix gone) or after LOG_SETTLE_SECONDS."""
    deadline = time.monotonic() + LOG_SETTLE_SECONDS
    while any(p.name.endswith(".inprogress") for p in events.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return sql_executions(events), nested_sql_executions(events)


def run_tiny_day(ws: Workspace, landing: Path, i: int) -> TinyDayRun:
    work = ws.root / "fixed" / str(i)
    home, events = work / "dagster", work / "events"
    home.mkdir(parents=True, exist_ok=True)
    events.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    lakehouse = ws.lakehouse(f"fixed-{i}")
    env = bench_env(landing, lakehouse, DAGSTER_HOME=str(home),
                    LAKEHOUSE_CONFIG_DIR=str(config_with_event_log(work / "config", events)))
    argv = [*lakehouse_command(), "run", "--start", DAY.isoformat(), "--end", DAY.isoformat()]
    try:
        process = run_measured(argv, env, timeout=TIMEOUT_SECONDS)
        steps, runs = count_steps(home)
        total, nested = count_sql(events)
        return TinyDayRun(process, total, steps, runs, nested)
    finally:
        ws.drop(lakehouse)
        shutil.rmtree(work, ignore_errors=True)


def figures(runs: list[TinyDayRun], rows: int) -> list[Figure]:
    """3a the time, 3b the SQL executions, 3c the Dagster steps of the tiny day's run."""
    seconds = [r.process.wall_seconds for r in runs]
    sql = [float(r.sql_executions) for r in runs]
    nested = statistics.median([r.nested_sql_executions for r in runs])
    steps = [float(r.steps) for r in runs]
    run_counts = sorted({r.runs for r in runs})
    return [
        Figure("3a", f"Fixed cost: a tiny day ({rows:,} order lines) end to end, `lakehouse run` in a subprocess",
               "s", seconds, FIXED_TARGET,
               f"wall time from process start to exit (Spark event log on), runs {seconds_list(seconds)} s; "
               f"peak memory python {statistics.median([r.process.python_peak_mb for r in runs]):,.0f} MB, "
               f"JVM {statistics.median([r.process.jvm_peak_mb for r in runs]):,.0f} MB."),
        Figure("3b", "Fixed cost: Spark SQL executions of that run", "", sql, SQL_TARGET,
               "SQL executions started, from the run's Spark event log (SparkListenerSQLExecutionStart), "
               f"{nested:.0f} of them (median) nested in another (a Delta write's file-writing query); "
               "`python -m benchmarks.profile` attributes them to steps."),
        Figure("3c", "Fixed cost: Dagster steps of that run", "", steps, None,
               f"STEP_START events in the Dagster event log of the run's "
               f"{' or '.join(str(n) for n in run_counts)} Dagster run(s)."),
    ]


def measure(ws: Workspace, landing: Path, rows: int, repeat: int, echo=print) -> list[Figure]:
    """Figures 3a-3c of `make bench`: `repeat` runs of the tiny day."""
    runs = []
    for i in range(repeat):
        run = run_tiny_day(ws, landing, i)
        runs.append(run)
        echo(f"  repeat {i + 1}/{repeat} lakehouse run {run.process.wall_seconds:6.1f} s, "
             f"{run.sql_executions} SQL executions ({run.nested_sql_executions} nested), "
             f"{run.steps} Dagster steps in {run.runs} run(s) "
             f"(python {run.process.python_peak_mb:,.0f} MB, JVM {run.process.jvm_peak_mb:,.0f} MB)")
    return figures(runs, rows)
