"""What every check step shares: its targets, the dates it reads, one pass per table.

A `Target` is one checked table with the checks defined on it. A check step
(one `@multi_asset_check` per table or group of tables) reads each target's rows
for the run's dates, measures them against the contract in one Spark job and
yields the results of the checks the run selected.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

from dagster import AssetCheckExecutionContext, AssetCheckKey, AssetCheckResult, AssetCheckSpec, AssetKey
from dagster import TimeWindowPartitionsDefinition
from pandera.pyspark import DataFrameSchema
from pyspark.sql import Column, DataFrame

from lakehouse_assets.checks.metrics import TableMetrics, measure
from lakehouse_assets.checks.results import CHECK_DESCRIPTIONS, CONTRACT_CHECKS, contract_results
from lakehouse_assets.checks.results import missing_table_results
from lakehouse_assets.checks.windows import Window, latest_window, run_window
from lakehouse_assets.contracts import contract_for
from lakehouse_assets.contracts.base import window_column
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.resources.spark import SparkResource

SCOPE = "dq/scope"
# Tables of one step are measured concurrently: on small tables a Spark job is mostly
# latency (planning, scheduling), which overlaps well; on big ones the cluster decides.
PARALLEL_JOBS = 4
R = TypeVar("R")


def in_parallel(tasks: Mapping[str, Callable[[], R]]) -> dict[str, R]:
    """Run independent tasks (Spark jobs, file reads) on a few threads; re-raises the first error."""
    if len(tasks) <= 1:
        return {name: task() for name, task in tasks.items()}
    with ThreadPoolExecutor(max_workers=min(PARALLEL_JOBS, len(tasks))) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        return {name: future.result() for name, future in futures.items()}


@dataclass(frozen=True)
class Target:
    """One checked table: its contract, its checks and which of them block."""

    key: AssetKey
    checks: tuple[str, ...] = CONTRACT_CHECKS
    blocking: frozenset[str] = frozenset(CONTRACT_CHECKS)
    partitions_def: TimeWindowPartitionsDefinition | None = None

    @property
    def schema(self) -> DataFrameSchema:
        return contract_for(self.key)

    @property
    def window_column(self) -> str | None:
        return window_column(self.schema)

    def specs(self) -> list[AssetCheckSpec]:
        return [AssetCheckSpec(name, asset=self.key, description=CHECK_DESCRIPTIONS[name],
                               blocking=name in self.blocking) for name in self.checks]

    def selected(self, context: AssetCheckExecutionContext) -> set[str]:
        chosen = context.selected_asset_check_keys
        return {name for name in self.checks if AssetCheckKey(self.key, name) in chosen}


def target(layer: str, table: str, **kwargs) -> Target:
    return Target(AssetKey([layer, table]), **kwargs)


def specs_of(targets: Iterable[Target]) -> list[AssetCheckSpec]:
    return [spec for t in targets for spec in t.specs()]


def check_window(context: AssetCheckExecutionContext, target_: Target) -> Window | None:
    """The run's dates; without a partition in the run, the table's latest materialized partition."""
    window = run_window(context)
    if window is None and target_.partitions_def is not None:
        window = latest_window(context, target_.key, target_.partitions_def)
    return window


def base_metadata(target_: Target, window: Window | None) -> dict:
    scope = f"dates {window.label}" if window and target_.window_column else "whole table"
    return {SCOPE: scope, **(window.metadata() if window else {})}


def read_target(tables: DeltaTables, target_: Target, window: Window | None) -> DataFrame:
    column = target_.window_column
    if column and window:
        return tables.read(target_.key, column, window.start, window.end)
    return tables.read(target_.key)


def tables_of(spark: SparkResource) -> DeltaTables:
    return DeltaTables(spark.session, spark.settings.lakehouse_root)


@dataclass
class Measured:
    """A target after its one pass: its metrics, or why its table could not be read."""

    target: Target
    window: Window | None
    metrics: TableMetrics | None
    error: str | None
    base: dict

    def contract_results(self, selected: set[str]) -> Iterator[AssetCheckResult]:
        names = [n for n in CONTRACT_CHECKS if n in selected]
        if self.metrics is None:
            yield from missing_table_results(self.target.key, names, self.error or "unknown", self.base)
        else:
            yield from contract_results(self.target.key, self.metrics, set(names), self.base)


def measure_target(tables: DeltaTables, target_: Target, window: Window | None,
                   extra: Callable[[DataFrame], Mapping[str, Column]] | None = None) -> Measured:
    """Read the target's rows for `window` and measure them in one Spark job, with the
    `extra(frame)` aggregates a check needs besides the contract's. Safe on a worker
    thread: it touches Spark only (the window is found beforehand, on the step's thread)."""
    base = base_metadata(target_, window)
    if target_.window_column and window is None:
        return Measured(target_, None, None, "no partition in the run and none materialized", base)
    try:
        frame = read_target(tables, target_, window)
    except FileNotFoundError as missing:
        return Measured(target_, window, None, str(missing), base)
    aggregates = extra(frame) if extra is not None else None
    return Measured(target_, window, measure(frame, target_.schema, aggregates), None, base)


def contract_checks(context: AssetCheckExecutionContext, spark: SparkResource,
                    targets: Iterable[Target]) -> Iterator[AssetCheckResult]:
    """The contract checks of tables that have no others (dimensions, marts, audit)."""
    tables = tables_of(spark)
    chosen = {"/".join(t.key.path): (t, t.selected(context), check_window(context, t)) for t in targets}
    measured = in_parallel({name: (lambda t=t, w=w: measure_target(tables, t, w))
                            for name, (t, selected, w) in chosen.items() if selected})
    for name, result in measured.items():
        yield from result.contract_results(chosen[name][1])
