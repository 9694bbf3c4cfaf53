"""Figures 1, 2 and 7: bronze ingest and the whole daily run of one orders day, each against
a bare Spark CSV -> Delta copy of the same files, and the driver's peak memory.

Every repeat runs the three workloads back to back, each in a fresh process with
the same Spark settings, in an order that rotates between repeats, and takes the
ratios within the repeat. Peak memory is read from the daily-run processes.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.memory import ProcessRun, bench_env, run_child
from benchmarks.report import Figure, Target, paired_ratios, seconds_list
from benchmarks.workspace import DAY, Workspace

BRONZE_TARGET = Target(1.5)
DAILY_TARGET = Target(4.0)
WORKLOADS = ("bare", "bronze", "daily")


@dataclass
class DayRuns:
    """The timed processes of every repeat, per workload."""

    runs: dict[str, list[ProcessRun]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    kept_lakehouse: Path | None = None  # a lakehouse with the whole day, for figure 6

    def seconds(self, workload: str) -> list[float]:
        return [r.result["seconds"] for r in self.runs[workload]]


def run_repeats(ws: Workspace, landing: Path, csv_files: list[str], repeat: int, echo=print) -> DayRuns:
    day = DAY.isoformat()
    found = DayRuns()
    for i in range(repeat):
        for workload in WORKLOADS[i % 3:] + WORKLOADS[:i % 3]:  # rotate who goes first
            lakehouse = ws.lakehouse(f"{workload}-{i}")
            env = bench_env(landing, lakehouse)
            if workload == "bare":
                run = run_child("bare", {"csv_files": csv_files, "target": str(lakehouse / "orders")}, env)
            else:
                run = run_child(workload, {"day": day}, env)
            found.runs[workload].append(run)
            echo(f"  repeat {i + 1}/{repeat} {workload:<6} {run.result['seconds']:7.1f} s "
                 f"(process {run.wall_seconds:.1f} s, python {run.python_peak_mb:,.0f} MB, "
                 f"JVM {run.jvm_peak_mb:,.0f} MB)")
            if workload == "daily" and found.kept_lakehouse is None:
                found.kept_lakehouse = lakehouse
            else:
                ws.drop(lakehouse)
    return found


def figures(found: DayRuns, csv_files: list[str]) -> list[Figure]:
    bare, bronze, daily = (found.seconds(w) for w in WORKLOADS)
    size_gb = sum(Path(f).stat().st_size for f in csv_files) / 1e9
    reference = f"bare `read.csv(schema) → write.format(\"delta\")` {statistics.median(bare):.1f} s"
    daily_runs = found.runs["daily"]
    return [
        Figure("1", f"Bronze ingest of one orders day ({size_gb:.2f} GB CSV) / bare Spark copy", "x",
               paired_ratios(bronze, bare), BRONZE_TARGET,
               f"bronze/orders materialized {statistics.median(bronze):.1f} s (runs {seconds_list(bronze)}); "
               f"{reference} (runs {seconds_list(bare)})."),
        Figure("2", "Whole daily run, every asset and check / bare Spark copy", "x",
               paired_ratios(daily, bare), DAILY_TARGET,
               f"`lakehouse run` of the day in process (daily, monthly and lifetime runs) "
               f"{statistics.median(daily):.1f} s (runs {seconds_list(daily)}); {reference}."),
        Figure("7a", "Peak memory of the driver in the daily run: Spark JVM (VmHWM)", "MB",
               [r.jvm_peak_mb for r in daily_runs], None,
               f"resident high-water mark of the `java` child of the run's process; for comparison the "
               f"bare copy's JVM {_median_mb(found.runs['bare'], 'jvm')}, bronze ingest's "
               f"{_median_mb(found.runs['bronze'], 'jvm')} (heap limit: `spark.driver.memory`)."),
        Figure("7b", "Peak memory of the driver in the daily run: Python process (VmHWM)", "MB",
               [r.python_peak_mb for r in daily_runs], None,
               f"the Dagster run process itself; bare copy's {_median_mb(found.runs['bare'], 'python')}."),
    ]


def _median_mb(runs: list[ProcessRun], side: str) -> str:
    values = [r.jvm_peak_mb if side == "jvm" else r.python_peak_mb for r in runs]
    return f"{statistics.median(values):,.0f} MB"
