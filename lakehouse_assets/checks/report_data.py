"""What the DQ report shows: each check's latest outcome for a date, and quarantine by reason.

Outcomes come from the Dagster instance's asset check execution history
(`event_log_storage.get_asset_check_execution_history`): for each daily check and
each date, the most recent evaluation whose dates (`dq/window_*` metadata) cover
that date (or, for a check that records no dates, whose run's partition or range covers
it). A check that never ran for the date is listed as not evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import reduce
from typing import Iterable, Sequence

from dagster import AssetCheckSpec, DagsterInstance
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG, PARTITION_NAME_TAG,
)
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.bronze.ingest import PARTITION_COLUMN
from lakehouse_assets.checks.windows import Window, window_from_metadata
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.sources import SOURCES

HISTORY_LIMIT = 50  # evaluations looked at per check: enough to reach past a few re-runs
COMPLETED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


@dataclass(frozen=True)
class Outcome:
    """One check's outcome for one business date (`passed` None: not evaluated)."""

    day: date
    asset_key: str
    check_name: str
    passed: bool | None
    severity: str | None
    blocking: bool
    description: str
    run_id: str | None
    evaluated_at: datetime | None
    metadata: dict

    def row(self) -> tuple:
        return (self.day, self.asset_key, self.check_name, self.passed, self.severity, self.blocking,
                self.description, self.run_id, self.evaluated_at)


def run_window(instance: DagsterInstance, run_id: str, cache: dict) -> Window | None:
    """The daily partition or range a run materialized, from its tags."""
    if run_id not in cache:
        run = instance.get_run_by_id(run_id)
        tags = run.tags if run is not None else {}
        first = tags.get(ASSET_PARTITION_RANGE_START_TAG) or tags.get(PARTITION_NAME_TAG)
        last = tags.get(ASSET_PARTITION_RANGE_END_TAG) or tags.get(PARTITION_NAME_TAG)
        try:
            cache[run_id] = Window(date.fromisoformat(first), date.fromisoformat(last) + timedelta(days=1))
        except (TypeError, ValueError):
            cache[run_id] = None
    return cache[run_id]


def _evaluations(instance: DagsterInstance, spec: AssetCheckSpec, runs: dict) -> list:
    records = instance.event_log_storage.get_asset_check_execution_history(spec.key, limit=HISTORY_LIMIT)
    found = []
    for record in records:  # most recent first
        if record.status not in COMPLETED or record.event is None or record.event.dagster_event is None:
            continue
        evaluation = record.event.dagster_event.event_specific_data
        window = window_from_metadata(dict(evaluation.metadata)) or run_window(instance, record.run_id, runs)
        found.append((record, evaluation, window))
    return found


def latest_outcomes(instance: DagsterInstance, specs: Iterable[AssetCheckSpec], window: Window) -> list[Outcome]:
    """Per date of `window` and per check, its most recent evaluation covering that date."""
    outcomes, runs = [], {}
    for spec in specs:
        evaluations = _evaluations(instance, spec, runs)
        key = "/".join(spec.asset_key.path)
        for day in window.days:
            hit = next(((r, e) for r, e, w in evaluations if w is not None and w.covers(day)), None)
            if hit is None:
                outcomes.append(Outcome(day, key, spec.name, None, None, spec.blocking, "not evaluated for this date",
                                        None, None, {}))
                continue
            record, evaluation = hit
            at = datetime.fromtimestamp(record.event.timestamp, tz=timezone.utc).replace(tzinfo=None)
            outcomes.append(Outcome(day, key, spec.name, evaluation.passed, evaluation.severity.value, spec.blocking,
                                    evaluation.description or "", record.run_id, at,
                                    {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()}))
    return outcomes


def quarantine_by_reason(tables: DeltaTables, window: Window) -> dict[tuple[date, str, str], int]:
    """{(date, source, reason): rows} over the quarantine tables, in one Spark job."""
    frames: list[DataFrame] = []
    for source in SOURCES:
        try:
            frame = tables.read(["quarantine", source], PARTITION_COLUMN, window.start, window.end)
        except FileNotFoundError:
            continue
        frames.append(frame.select(F.col(PARTITION_COLUMN).alias("day"), F.lit(source).alias("source"), "reason"))
    if not frames:
        return {}
    rows = reduce(DataFrame.unionByName, frames).groupBy("day", "source", "reason").count().collect()
    return {(r["day"], r["source"], r["reason"]): int(r["count"]) for r in rows}


def earlier_pass_rates(tables: DeltaTables, key: Sequence[str], window: Window) -> dict[date, tuple[int, int]]:
    """{date: (passed, evaluated)} from the report table itself, for dates before this report."""
    try:
        frame = tables.read(key, "date", window.start, window.end)
    except FileNotFoundError:
        return {}
    rows = frame.where(F.col("passed").isNotNull()).groupBy("date").agg(
        F.count(F.when(F.col("passed"), F.lit(1))).alias("passed"), F.count(F.lit(1)).alias("evaluated"),
    ).collect()
    return {r["date"]: (int(r["passed"]), int(r["evaluated"])) for r in rows}


def latest_per_check(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """Each check's outcome for the last date it has (a range run evaluates all its dates at once)."""
    return list({(o.asset_key, o.check_name): o for o in sorted(outcomes, key=lambda o: o.day)}.values())


def pass_rates(outcomes: Iterable[Outcome]) -> dict[date, tuple[int, int]]:
    rates: dict[date, tuple[int, int]] = {}
    for o in outcomes:
        if o.passed is None:
            continue
        passed, evaluated = rates.get(o.day, (0, 0))
        rates[o.day] = (passed + int(o.passed), evaluated + 1)
    return rates
