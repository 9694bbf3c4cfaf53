"""What the DQ report shows, read from Dagster's event log only: no lakehouse table is read.

Check outcomes: the asset check execution history
(`event_log_storage.get_asset_check_execution_history`) of every check on the report's
upstream assets, and of the checks of the sources read where they live (crm, events) on
their daily and unpartitioned tables (`report_outcomes` turns them into one outcome per
check and date). An unpartitioned run's data bound is the last day the run read (the run
tag `lakehouse/crm_until`), else the day (UTC) of the evaluation. Figures: the latest
materialization of each date's partition of a table (`report_figures`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    AssetsDefinition,
    DagsterInstance,
    PartitionsDefinition,
)
from dagster._check import CheckError
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from lakehouse_assets.checks.report_figures import Figure, LatestFigures
from lakehouse_assets.checks.report_outcomes import CheckRef, Evaluation
from lakehouse_assets.checks.windows import Window, window_from_metadata
from lakehouse_assets.resources.crm_db import CRM_UNTIL_TAG

HISTORY_LIMIT = 50  # evaluations looked at per check: enough to reach past a few re-runs
MATERIALIZATIONS_PER_DAY = 4  # first fetch of a table's recent partitions; missing days are fetched one by one
COMPLETED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
# Run tags naming the last business day an unpartitioned run read (its data bound).
DATA_BOUND_TAGS = (CRM_UNTIL_TAG,)


def plain(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata entries as their values (a JSON entry as its dict or list)."""
    return {k: getattr(v, "value", v) for k, v in metadata.items()}


def report_asset_graph(context):
    """The code location's asset graph (a run launched from it: UI, schedule, sensor); else, for a
    job executed in process (`lakehouse run`, tests), the job's, which holds the checks of the
    assets the job selects."""
    try:
        return context.repository_def.asset_graph
    except CheckError:
        return context.job_def.asset_layer.asset_graph


def upstream_checks(asset_graph, key: AssetKey) -> list[CheckRef]:
    """Every check defined on an asset upstream of `key` (the repository's asset graph)."""
    ancestors = asset_graph.get_ancestor_asset_keys(key)
    check_keys = sorted(asset_graph.get_check_keys_for_assets(ancestors),
                        key=lambda k: (k.asset_key.path, k.name))
    return [CheckRef("/".join(k.asset_key.path), k.name, bool(asset_graph.get(k).blocking),
                     asset_graph.get(k.asset_key).partitions_def is None) for k in check_keys]


def checks_of(assets: Iterable[AssetsDefinition], partitions_defs: Sequence[PartitionsDefinition | None]
              ) -> list[CheckRef]:
    """The checks declared on `assets` whose partitioning is one of `partitions_defs` (None:
    unpartitioned), in (table, check) order."""
    refs = {}
    for definition in assets:
        if not any(definition.partitions_def == p for p in partitions_defs):
            continue
        for spec in definition.check_specs:
            refs[spec.key] = CheckRef("/".join(spec.asset_key.path), spec.name, bool(spec.blocking),
                                      definition.partitions_def is None)
    return [refs[k] for k in sorted(refs, key=lambda k: (k.asset_key.path, k.name))]


def window_of_run(instance: DagsterInstance, run_id: str, cache: dict) -> Window | None:
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


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC).replace(tzinfo=None)


def data_bound(instance: DagsterInstance, run_id: str, evaluated_at: datetime, cache: dict) -> date:
    """The last business date an unpartitioned run read: its `DATA_BOUND_TAGS` tag, else the
    date (UTC) of the evaluation (the run read its source up to then)."""
    if ("bound", run_id) not in cache:
        run = instance.get_run_by_id(run_id)
        tags = run.tags if run is not None else {}
        found = None
        for tag in DATA_BOUND_TAGS:
            try:
                found = date.fromisoformat(tags.get(tag) or "")
                break
            except ValueError:
                continue
        cache[("bound", run_id)] = found
    return cache[("bound", run_id)] or evaluated_at.date()


def check_evaluations(instance: DagsterInstance, checks: Iterable[CheckRef],
                      runs: dict | None = None) -> dict[tuple[str, str], list[Evaluation]]:
    """Each check's completed evaluations, most recent first."""
    runs = {} if runs is None else runs
    found: dict[tuple[str, str], list[Evaluation]] = {}
    for check in checks:
        records = instance.event_log_storage.get_asset_check_execution_history(check.key, limit=HISTORY_LIMIT)
        evaluations = []
        for record in records:
            if record.status not in COMPLETED or record.event is None or record.event.dagster_event is None:
                continue
            evaluation = record.event.dagster_event.event_specific_data
            metadata = plain(evaluation.metadata)
            window = window_from_metadata(metadata) or window_of_run(instance, record.run_id, runs)
            evaluated_at = _utc(record.event.timestamp)
            through = data_bound(instance, record.run_id, evaluated_at, runs) \
                if window is None and check.unpartitioned else None
            evaluations.append(Evaluation(
                check.asset_key, check.check_name, bool(evaluation.passed), evaluation.severity.value,
                evaluation.description or "", window, record.run_id, evaluated_at, metadata, through))
        found[(check.asset_key, check.check_name)] = evaluations
    return found


def latest_figures(instance: DagsterInstance, key: AssetKey, group: str, days: Sequence[date],
                   values: Callable[[Mapping[str, Any]], dict[str, int]], runs: dict | None = None) -> LatestFigures:
    """{(group, date): figure} of the latest materialization of each of `days`' partitions of `key`."""
    runs = {} if runs is None else runs
    latest: dict[tuple[str, date], Figure] = {}

    def take(records) -> None:
        for record in records:  # most recent first
            materialization = record.asset_materialization
            try:
                day = date.fromisoformat(record.partition_key or "")
            except ValueError:
                continue
            if (group, day) in latest or materialization is None:
                continue
            window = window_of_run(instance, record.run_id, runs)
            if window is None or not window.covers(day):
                window = Window(day, day + timedelta(days=1))
            latest[(group, day)] = Figure(group, window, record.run_id, values(plain(materialization.metadata)))

    wanted = [d.isoformat() for d in days]
    limit = MATERIALIZATIONS_PER_DAY * len(wanted)
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=wanted), limit=limit).records
    take(records)
    if len(records) >= limit:  # many re-runs: some dates' latest may lie beyond the first page
        for day in days:
            if (group, day) not in latest:
                take(instance.fetch_materializations(
                    AssetRecordsFilter(asset_key=key, asset_partitions=[day.isoformat()]), limit=1).records)
    return latest
