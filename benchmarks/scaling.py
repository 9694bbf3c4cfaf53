"""Figure 8: the orders day on a Spark standalone cluster of two workers against one, one core
each, as a speed-up (the day's time on one worker over its time on two).

Each timing starts a fresh cluster of that size on this machine (lakehouse_assets/resources/
cluster.py) and runs `lakehouse run` for the day in a fresh process (`benchmarks.child daily`)
with LAKEHOUSE_ENV=local-cluster (executors of one core and 768m) pointed at it; the two sizes
alternate which goes first between repeats, and each repeat's ratio is taken within it. The
driver runs on the same machine as the executors: on two cores, two executors share them with
the driver, so this is the speed-up a second worker gives here, not on separate machines.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from benchmarks.memory import bench_env, run_child
from benchmarks.report import Figure, paired_ratios, seconds_list
from benchmarks.workspace import DAY, Workspace

WORKERS = (1, 2)


def run_repeats(ws: Workspace, landing: Path, repeat: int, echo=print) -> dict[int, list[float]]:
    """The day's seconds on each cluster size, per repeat."""
    from lakehouse_assets.resources.cluster import LocalSparkCluster

    seconds: dict[int, list[float]] = {n: [] for n in WORKERS}
    for i in range(repeat):
        for workers in WORKERS[i % 2:] + WORKERS[:i % 2]:
            lakehouse = ws.lakehouse(f"scaling-{workers}w-{i}")
            cluster = LocalSparkCluster(ws.root / "clusters" / f"{workers}w-{i}", workers=workers).start()
            try:
                env = bench_env(landing, lakehouse, LAKEHOUSE_ENV="local-cluster", **cluster.env())
                run = run_child("daily", {"day": DAY.isoformat()}, env)
            finally:
                cluster.stop()
            seconds[workers].append(run.result["seconds"])
            echo(f"  repeat {i + 1}/{repeat} {workers} worker(s) {run.result['seconds']:7.1f} s "
                 f"(process {run.wall_seconds:.1f} s, driver JVM {run.jvm_peak_mb:,.0f} MB)")
            ws.drop(lakehouse)
    return seconds


def figure(ws: Workspace, landing: Path, csv_files: list[str], repeat: int, echo=print) -> Figure:
    seconds = run_repeats(ws, landing, repeat, echo)
    one, two = seconds[1], seconds[2]
    size_gb = sum(Path(f).stat().st_size for f in csv_files) / 1e9
    return Figure("8", f"Orders day ({size_gb:.2f} GB CSV) on a standalone cluster: 1 worker / 2 workers "
                       "(1 core each), speed-up", "x", paired_ratios(one, two), None,
                  f"`lakehouse run` of the day with the driver on this machine, one worker "
                  f"{statistics.median(one):.1f} s (runs {seconds_list(one)}), two workers "
                  f"{statistics.median(two):.1f} s (runs {seconds_list(two)}); executors 1 core, 768m "
                  "(config/local-cluster.yaml).")
