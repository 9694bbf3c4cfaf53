"""Crash mid-write: SIGKILL a run while it writes bronze, a dimension MERGE or the fact.

Each trial copies the clean reference lakehouse, takes day 2's rows out of the target
table (so the run has something to write), and runs that table's step for day 2 in a
child process, killed a random delay after the table's first new data file appears.
Then: the table reads as exactly its state before or after the write (nothing half
committed), every other table is untouched, re-running the step gives the clean run's
rows (none lost, none duplicated), and the data files the killed writer left behind
(on disk, in no commit) are listed and removed by VACUUM. `LAKEHOUSE_SOAK_TRIALS` and
`LAKEHOUSE_SOAK_SEED` scale and vary the trials (`make soak`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse_assets_tests.faults.harness import (
    DeltaFiles,
    Kill,
    driver_env,
    run_selection,
    run_until_written,
    soak_seed,
    soak_trials,
)
from lakehouse_assets_tests.pipeline import DAY2, Reference, lakehouse_env, snapshot

pytestmark = pytest.mark.slow
TRIALS = soak_trials(3)  # one per target; `make soak` runs 50 (every target, kills early and late)
RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled"
RESULTS: list[dict] = []


def _day2_rows(column: str) -> Callable[[SparkSession, Path], str]:
    return lambda spark, root: f"`{column}` = DATE'{DAY2.isoformat()}'"


def _day2_sales_people(spark: SparkSession, root: Path) -> str:
    """The sales people whose change records landed on day 2: the entities day 2's MERGE rewrites."""
    records = spark.read.format("delta").load(str(root / "silver" / "sales_team"))
    day2 = records.where(F.col("_partition_date") == DAY2).select("sales_person_id").distinct()
    ids = [r[0] for r in day2.collect()]
    assert ids, "the generated day 2 has sales-team changes"
    return "sales_person_id IN (" + ", ".join(f"'{i}'" for i in ids) + ")"


@dataclass(frozen=True)
class Target:
    table: str
    write: str  # what the killed step does to it
    undo: Callable[[SparkSession, Path], str]  # SQL predicate of the rows day 2's step writes


TARGETS = [
    Target("bronze/orders", "replaceWhere of a date partition", _day2_rows("_partition_date")),
    Target("silver/dim_sales_person", "MERGE of the day's entities", _day2_sales_people),
    Target("gold/fact_sales", "replaceWhere of a date partition", _day2_rows("order_date")),
]


def trial_plan(index: int) -> tuple[Target, float]:
    """Targets in turn; half the kills as soon as a data file appears, half up to 0.5 s later."""
    rng = random.Random(soak_seed() * 1000 + index)
    return TARGETS[index % len(TARGETS)], (0.0 if index % 2 == 0 else round(rng.uniform(0.0, 0.5), 3))


def versions(root: Path) -> dict[str, int]:
    return {f"{p.parent.parent.name}/{p.parent.name}": DeltaFiles(p.parent).version()
            for p in root.glob("*/*/_delta_log")}


def vacuum_everything_unreferenced(spark: SparkSession, path: Path) -> None:
    """VACUUM with no retention: only for tests, where no reader can still need old files."""
    spark.conf.set(RETENTION_CHECK, "false")
    try:
        DeltaTable.forPath(spark, str(path)).vacuum(0.0)
    finally:
        spark.conf.unset(RETENTION_CHECK)


@dataclass
class Killed:
    """A trial up to its kill: the copied lakehouse, the target's state before the write, the kill."""

    index: int
    target: Target
    root: Path
    before_write: list[tuple]
    untouched: dict[str, int]
    version: int
    kill: Kill


def kill_one(reference: Reference, spark: SparkSession, index: int, base: Path) -> Killed:
    target, delay = trial_plan(index)
    root = reference.copy_to(base / f"trial{index}" / "lakehouse")
    table_dir = root / target.table
    DeltaTable.forPath(spark, str(table_dir)).delete(target.undo(spark, root))
    before_write, untouched = snapshot(spark, root, target.table), versions(root)
    version = DeltaFiles(table_dir).version()
    kill = run_until_written(DAY2, [target.table], table_dir, delay, driver_env(reference.landing, root),
                             base / f"trial{index}" / "driver.log")
    return Killed(index, target, root, before_write, untouched, version, kill)


class KilledRuns:
    """Trial n+1 is copied, started and killed in the background while trial n is checked,
    so the child process's JVM start overlaps with the checking."""

    def __init__(self, reference: Reference, spark: SparkSession, base: Path):
        self._args = (reference, spark)
        self._base = base
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._futures: dict[int, Future] = {}

    def _submit(self, index: int) -> Future:
        if index not in self._futures:
            self._futures[index] = self._pool.submit(kill_one, *self._args, index, self._base)
        return self._futures[index]

    def get(self, index: int) -> Killed:
        future = self._submit(index)
        if index + 1 < TRIALS:
            self._submit(index + 1)  # starts as soon as this one is done
        return future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def killed_runs(reference, spark, tmp_path_factory):
    runs = KilledRuns(reference, spark, tmp_path_factory.mktemp("crash"))
    yield runs
    runs.close()


@pytest.mark.parametrize("index", range(TRIALS))
def test_kill_mid_write_then_rerun(reference: Reference, spark, killed_runs, index):
    trial = killed_runs.get(index)
    target, root, kill = trial.target, trial.root, trial.kill
    table_dir = root / target.table
    assert trial.before_write != reference.snapshot(target.table)
    assert kill.killed, f"the run ended (exit {kill.exit_code}) before writing {target.table}:\n{kill.output[-3000:]}"
    committed = DeltaFiles(table_dir).version() > trial.version
    after_kill = snapshot(spark, root, target.table)
    assert after_kill == (reference.snapshot(target.table) if committed else trial.before_write), \
        "a killed write is all or nothing"
    leftovers = DeltaFiles(table_dir).uncommitted()
    if not committed:
        assert leftovers, "the data file seen being written is on disk, in no commit"

    with lakehouse_env(spark, reference.landing, root):
        run_selection(DAY2, [target.table])
    assert snapshot(spark, root, target.table) == reference.snapshot(target.table), "re-run = clean run"
    changed = {k for k, v in versions(root).items() if trial.untouched.get(k) != v}
    assert changed == {target.table}, f"only {target.table} was written"

    vacuum_everything_unreferenced(spark, table_dir)
    assert not DeltaFiles(table_dir).uncommitted() & leftovers, "VACUUM removes what the killed writer left"
    assert snapshot(spark, root, target.table) == reference.snapshot(target.table)
    RESULTS.append({"trial": index, "table": target.table, "write": target.write, "delay_s": kill.delay,
                    "killed_after_s": round(kill.seconds, 1), "commit_landed": committed,
                    "leftover_files": len(leftovers)})


def test_leftovers_were_found_and_removed():
    """Across the trials some kills landed before the commit and left files for VACUUM."""
    assert len(RESULTS) == TRIALS, "run the crash trials of this module first"
    print("\ncrash trials:\n" + "\n".join(str(r) for r in RESULTS))
    assert {r["table"] for r in RESULTS} == {t.table for t in TARGETS}
    assert sum(r["leftover_files"] for r in RESULTS) > 0
