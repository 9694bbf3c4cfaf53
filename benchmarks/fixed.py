"""Figure 3: the fixed cost of a run, a tiny day end to end as a user runs it.

`lakehouse run --start D --end D` in a subprocess, timed from process start to
exit: Python and Dagster imports, JVM start, every asset and check of the day,
the month and the lifetime table. Runs are recorded in a fresh Dagster instance
(`DAGSTER_HOME`, as `make run` does), so the instance's storage is counted too.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

from benchmarks.memory import ProcessRun, bench_env, run_measured
from benchmarks.report import Figure, Target, seconds_list
from benchmarks.workspace import DAY, Workspace

FIXED_TARGET = Target(45.0)
TIMEOUT_SECONDS = 1800


def lakehouse_command() -> list[str]:
    """The installed `lakehouse` script next to this Python, else the module behind it."""
    script = Path(sys.executable).parent / "lakehouse"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from lakehouse_assets.cli.main import main; sys.exit(main())"]


def run_tiny_day(ws: Workspace, landing: Path, i: int) -> ProcessRun:
    home = ws.root / "dagster" / f"fixed-{i}"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    lakehouse = ws.lakehouse(f"fixed-{i}")
    env = bench_env(landing, lakehouse, DAGSTER_HOME=str(home))
    argv = [*lakehouse_command(), "run", "--start", DAY.isoformat(), "--end", DAY.isoformat()]
    try:
        return run_measured(argv, env, timeout=TIMEOUT_SECONDS)
    finally:
        ws.drop(lakehouse)
        shutil.rmtree(home, ignore_errors=True)


def figure(ws: Workspace, landing: Path, rows: int, repeat: int, echo=print) -> Figure:
    runs = []
    for i in range(repeat):
        run = run_tiny_day(ws, landing, i)
        runs.append(run)
        echo(f"  repeat {i + 1}/{repeat} lakehouse run {run.wall_seconds:6.1f} s "
             f"(python {run.python_peak_mb:,.0f} MB, JVM {run.jvm_peak_mb:,.0f} MB)")
    seconds = [r.wall_seconds for r in runs]
    return Figure("3", f"Fixed cost: a tiny day ({rows:,} order lines) end to end, `lakehouse run` in a subprocess",
                  "s", seconds, FIXED_TARGET,
                  f"wall time from process start to exit, runs {seconds_list(seconds)} s; peak memory "
                  f"python {statistics.median([r.python_peak_mb for r in runs]):,.0f} MB, "
                  f"JVM {statistics.median([r.jvm_peak_mb for r in runs]):,.0f} MB.")
