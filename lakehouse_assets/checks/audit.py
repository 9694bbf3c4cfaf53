"""Checks measured on the frame a step is about to write: write-audit-publish.

A step that builds a table caches the frame, measures it against the table's
contract in one Spark job (`pending_measure`: the whole window and each business
date; a step writing several tables measures them in one query,
`checks/together.py`), turns the figures into check results, and writes the table
only if no blocking check failed. A blocked table keeps its previous rows, so
readers never see a half-valid partition; the step yields the failed results and
Dagster fails it after its other outputs, which skips everything downstream in the run.

Each result carries the dates it covers (`dq/window_start`, `dq/window_end`) and,
for a run over several dates, each date's own outcome in `dq/by_date`, which the
DQ report turns into one row per date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MetadataValue,
)
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame

from lakehouse_assets.checks.metrics import DatedMetrics, TableMetrics, pending_metrics
from lakehouse_assets.checks.results import contract_results
from lakehouse_assets.checks.targets import Target
from lakehouse_assets.checks.together import Pending, run_together
from lakehouse_assets.checks.windows import BY_DATE, Window
from lakehouse_assets.io_managers.step_writes import StepWrites

SCOPE = "dq/scope"
# (metrics, base metadata) -> results of one table's checks
Builder = Callable[[TableMetrics, Mapping], Iterable[AssetCheckResult]]


def checks_without_table(check_keys: Iterable, asset_keys: Iterable[AssetKey]) -> str | None:
    """The reason a step cannot run a selection whose checks' tables it does not write; None if it can."""
    tables = sorted({k.asset_key for k in check_keys} - set(asset_keys), key=lambda k: k.path)
    if not tables:
        return None
    names = ", ".join("/".join(k.path) for k in tables)
    return (f"Checks run with their table's write (they measure the rows about to be written, "
            f"docs/data-quality.md), so the selected checks of {names} cannot run without "
            f"materializing {'it' if len(tables) == 1 else 'them'}: to re-check, materialize {names} "
            f"with {'its' if len(tables) == 1 else 'their'} checks for the dates to re-check.")


def require_tables_of_checks(context: AssetExecutionContext) -> None:
    """Fail the step before it reads or writes anything when a selected check's table is not
    selected too (checks alone, e.g. "Execute checks" in the UI or `AssetSelection.checks`)."""
    reason = checks_without_table(context.selected_asset_check_keys, context.selected_asset_keys)
    if reason is not None:
        raise Failure(description=reason, allow_retries=False)


def base_metadata(target: Target, window: Window | None) -> dict:
    scope = f"dates {window.label}" if window is not None and target.window_column else "rows written"
    return {SCOPE: scope, **(window.metadata() if window is not None else {})}


def pending_measure(target: Target, frame: DataFrame,
                    extra: Mapping[str, Column] | None = None) -> Pending[DatedMetrics]:
    """The target's contract figures on `frame` (best cached), per date of its window column:
    planned, to run alone or together with the step's other aggregations."""
    return pending_metrics(frame, target.schema, target.window_column, extra)


def dated_results(builder: Builder, dated: DatedMetrics, base: Mapping) -> list[AssetCheckResult]:
    """`builder`'s results on the whole frame, each with every date's own outcome when the
    frame spans several dates."""
    results = list(builder(dated.total, base))
    if len(dated.by_date) < 2:
        return results
    per_date: dict[date, dict[str, AssetCheckResult]] = {
        day: {r.check_name: r for r in builder(metrics, base)} for day, metrics in sorted(dated.by_date.items())
    }
    return [with_by_date(r, {day: found[r.check_name] for day, found in per_date.items()
                             if r.check_name in found}) for r in results]


def with_by_date(result: AssetCheckResult, by_date: Mapping[date, AssetCheckResult]) -> AssetCheckResult:
    """`result` with `dq/by_date`: ISO date -> that date's passed and description."""
    if not by_date:
        return result
    entries = {day.isoformat(): {"passed": bool(r.passed), "description": r.description}
               for day, r in sorted(by_date.items())}
    return result._replace(metadata={**result.metadata, BY_DATE: MetadataValue.json(entries)})


def contract_builder(target: Target, selected: set[str]) -> Builder:
    return lambda metrics, base: contract_results(target.key, metrics, selected, base)


def failed_blocking(results: Iterable[AssetCheckResult], target: Target) -> list[str]:
    """Names of the target's blocking ERROR checks that failed."""
    return [r.check_name for r in results
            if not r.passed and r.check_name in target.blocking and r.asset_key == target.key
            and r.severity == AssetCheckSeverity.ERROR]


def audit(context: AssetExecutionContext, target: Target, frame: DataFrame, window: Window | None,
          extra: Mapping[str, Column] | None = None,
          more: Callable[[DatedMetrics, Mapping], Iterable[AssetCheckResult]] | None = None,
          ) -> tuple[list[AssetCheckResult], DatedMetrics]:
    """The run's selected checks of `target` on `frame`: the contract's, plus `more(dated, base)`."""
    return audit_measured(context, target, pending_measure(target, frame, extra).run(), window, more)


def audit_measured(context: AssetExecutionContext, target: Target, dated: DatedMetrics, window: Window | None,
                   more: Callable[[DatedMetrics, Mapping], Iterable[AssetCheckResult]] | None = None,
                   ) -> tuple[list[AssetCheckResult], DatedMetrics]:
    """`audit` on figures already measured (`pending_measure`, run with others)."""
    selected = target.selected(context)
    base = base_metadata(target, window)
    results = dated_results(contract_builder(target, selected), dated, base)
    if more is not None:
        results += [r for r in more(dated, base) if r.check_name in selected]
    return results, dated


def blocked_message(target: Target, failed: list[str]) -> str:
    return (f"{'/'.join(target.key.path)} not written: blocking check(s) {', '.join(failed)} failed "
            "(its previous rows stay; see the check results)")


def log_blocked(context: AssetExecutionContext, target: Target, results: list[AssetCheckResult]) -> bool:
    """True (and says so in the run's log) when a blocking check of `target` failed."""
    failed = failed_blocking(results, target)
    if failed:
        context.log.error(blocked_message(target, failed))
    return bool(failed)


def audited_write(context: AssetExecutionContext, target: Target, frame: DataFrame, window: Window | None,
                  output_name: str = "result") -> Iterator:
    """`audited_writes` of one table."""
    yield from audited_writes(context, {output_name: (target, frame)}, window)


def audited_writes(context: AssetExecutionContext, tables: Mapping[str, tuple[Target, DataFrame]],
                   window: Window | None) -> Iterator:
    """Measure every table's frame (cached) in one Spark query, write together each one no
    blocking check of it failed (output name -> target and rows; `io_managers/step_writes.py`),
    then yield the results."""
    for _, frame in tables.values():
        frame.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        measured = run_together({name: pending_measure(target, frame) for name, (target, frame) in tables.items()})
        writes = StepWrites(context)
        for name, (target, frame) in tables.items():
            results, _ = audit_measured(context, target, measured[name], window)
            if not log_blocked(context, target, results):
                writes.add(name, frame)
            writes.after(results)
        yield from writes.flush()
    finally:
        for _, frame in tables.values():
            frame.unpersist()
