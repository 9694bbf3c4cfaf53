"""What the DQ report shows, taken from Dagster's event log only: no lakehouse table is read.

Check outcomes: the asset check execution history
(`event_log_storage.get_asset_check_execution_history`) of every check on the report's
upstream assets, and of the checks of the sources read where they live (crm, events) on
their daily and unpartitioned tables. For each date and check: this run's evaluation
covering the date, else the most recent one that does. An evaluation covers the dates it
records (`dq/window_start` / `dq/window_end`) or, for a check that records none, its run's
partition or range. A check of an unpartitioned table checks the whole table as its run
left it, so an evaluation of one that records no dates covers every date up to its run's
data bound: the last day the run read (the run tag `lakehouse/crm_until`), else the day
(UTC) it was evaluated. The date's `passed` and `description` are those of the evaluation's
`dq/by_date` entry for that date ({ISO date: {"passed", "description", ...}}, recorded when
a check covers several dates), else the evaluation's own. A check that never ran for the
date is listed as not evaluated.

Figures measured when a table was written (quarantined rows by reason, fact rows): the
latest materialization of each date's partition, `dagster/row_count` and the validation's
`accounting/quarantine.<reason>`. A range run records the whole range's figures on each
of its partitions; they count once when the range lies within the report's dates, else
each date gets an even share (and the figure is marked approximate).

The dataclasses and the functions on them are plain Python; the readers of the event log
are at the end.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dagster import (
    AssetCheckKey,
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

from lakehouse_assets.checks.windows import Window, window_from_metadata
from lakehouse_assets.resources.crm_db import CRM_UNTIL_TAG

BY_DATE = "dq/by_date"
ROW_COUNT = "dagster/row_count"
QUARANTINE_REASON = "accounting/quarantine."  # validation's rows per reason, on quarantine/<source>
OTHER_REASON = "other"  # rows written beyond the recorded reasons
NOT_EVALUATED = "not evaluated for this date"
HISTORY_LIMIT = 50  # evaluations looked at per check: enough to reach past a few re-runs
MATERIALIZATIONS_PER_DAY = 4  # first fetch of a table's recent partitions; missing days are fetched one by one
MAX_DATES = 3  # dates listed in a check's detail
COMPLETED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
# Run tags naming the last business day an unpartitioned run read (its data bound).
DATA_BOUND_TAGS = (CRM_UNTIL_TAG,)


def plain(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata entries as their values (a JSON entry as its dict or list)."""
    return {k: getattr(v, "value", v) for k, v in metadata.items()}


@dataclass(frozen=True)
class CheckRef:
    """A check the report lists: on `asset_key` (layer/table), named `check_name`;
    `unpartitioned`: its table is not partitioned (the check reads the whole table)."""

    asset_key: str
    check_name: str
    blocking: bool
    unpartitioned: bool = False

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(AssetKey(self.asset_key.split("/")), self.check_name)


@dataclass(frozen=True)
class Evaluation:
    """One recorded check evaluation: its overall outcome, the dates it covers (`window`, None:
    unknown), for a whole-table check the last date its table could hold (`through`: it covers
    every date up to it), and its metadata as plain values."""

    asset_key: str
    check_name: str
    passed: bool
    severity: str
    description: str
    window: Window | None
    run_id: str
    evaluated_at: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    through: date | None = None

    def covers(self, day: date) -> bool:
        if self.window is not None:
            return self.window.covers(day)
        return self.through is not None and day <= self.through

    def by_date(self) -> dict[str, Any]:
        value = self.metadata.get(BY_DATE)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return {}
        return value if isinstance(value, dict) else {}

    def on(self, day: date) -> tuple[bool, str]:
        """(passed, description) for `day`: its `dq/by_date` entry, else the whole evaluation's."""
        entry = self.by_date().get(day.isoformat())
        if not isinstance(entry, dict):
            return self.passed, self.description
        passed = entry.get("passed")
        description = entry.get("description")
        return (passed if isinstance(passed, bool) else self.passed,
                description if isinstance(description, str) else self.description)


@dataclass(frozen=True)
class Outcome:
    """One check's outcome for one business date (`passed` None: not evaluated): a report table row."""

    day: date
    asset_key: str
    check_name: str
    passed: bool | None
    severity: str | None
    blocking: bool
    description: str
    run_id: str | None
    evaluated_at: datetime | None

    def row(self) -> tuple:
        return (self.day, self.asset_key, self.check_name, self.passed, self.severity, self.blocking,
                self.description, self.run_id, self.evaluated_at)


def outcomes_for(checks: Iterable[CheckRef], evaluations: Mapping[tuple[str, str], Sequence[Evaluation]],
                 days: Sequence[date], run_id: str | None = None) -> list[Outcome]:
    """Per check and date, the outcome of the evaluation that covers the date: one of run
    `run_id` first, else the first in `evaluations` (most recent first)."""
    outcomes = []
    for check in checks:
        found = evaluations.get((check.asset_key, check.check_name), ())
        ranked = sorted(found, key=lambda e: e.run_id != run_id)  # stable: this run's, then by recency
        for day in days:
            hit = next((e for e in ranked if e.covers(day)), None)
            if hit is None:
                outcomes.append(Outcome(day, check.asset_key, check.check_name, None, None, check.blocking,
                                        NOT_EVALUATED, None, None))
                continue
            passed, description = hit.on(day)
            outcomes.append(Outcome(day, check.asset_key, check.check_name, passed, hit.severity, check.blocking,
                                    description, hit.run_id, hit.evaluated_at))
    return outcomes


@dataclass(frozen=True)
class CheckSummary:
    """One check over the report's dates: failed if it failed on any date."""

    asset_key: str
    check_name: str
    severity: str | None
    blocking: bool
    passed: bool | None  # None: evaluated on no date
    dates: int
    evaluated: int
    failed: int
    detail: str


def _detail(outcomes: Sequence[Outcome]) -> str:
    """The date's description; over several dates, their one description when they all say the
    same (a whole-window figure), else the failed (or else evaluated) dates' own, dated."""
    evaluated = [o for o in outcomes if o.passed is not None]
    if not evaluated:
        return NOT_EVALUATED if len(outcomes) == 1 else "not evaluated for these dates"
    if len(outcomes) == 1 or len({o.description for o in evaluated}) == 1:
        return evaluated[-1].description
    shown = [o for o in evaluated if o.passed is False] or evaluated
    listed = [f"{o.day.isoformat()}: {o.description}" for o in shown[:MAX_DATES]]
    more = len(shown) - len(listed)
    return "; ".join(listed) + (f"; and {more} more date(s)" if more > 0 else "")


def summarize(outcomes: Iterable[Outcome]) -> list[CheckSummary]:
    """One summary per check, in the order the checks first appear."""
    grouped: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        grouped[(o.asset_key, o.check_name)].append(o)
    summaries = []
    for (asset_key, check_name), found in grouped.items():
        found.sort(key=lambda o: o.day)
        evaluated = [o for o in found if o.passed is not None]
        failed = sum(1 for o in evaluated if not o.passed)
        severity = next((o.severity for o in reversed(evaluated) if o.severity), None)
        summaries.append(CheckSummary(
            asset_key, check_name, severity, found[0].blocking,
            None if not evaluated else failed == 0, len(found), len(evaluated), failed, _detail(found)))
    return summaries


def pass_rates(outcomes: Iterable[Outcome]) -> dict[date, tuple[int, int]]:
    """{date: (checks passed, checks evaluated)}."""
    rates: dict[date, tuple[int, int]] = {}
    for o in outcomes:
        if o.passed is None:
            continue
        passed, evaluated = rates.get(o.day, (0, 0))
        rates[o.day] = (passed + int(o.passed), evaluated + 1)
    return rates


@dataclass(frozen=True)
class Figure:
    """Totals one write recorded for the dates it covered, e.g. {reason: rows} of quarantine/<group>."""

    group: str
    window: Window
    run_id: str
    values: Mapping[str, int]

    @property
    def key(self) -> tuple:
        return self.group, self.run_id, self.window


# (group, date) -> the figure of the date's latest write
LatestFigures = Mapping[tuple[str, date], Figure]


def figures_by_day(latest: LatestFigures) -> tuple[dict[tuple[date, str, str], float], set[date]]:
    """{(date, group, name): value}, a range's values shared evenly over its dates, and the
    dates where some value is such a share."""
    values: dict[tuple[date, str, str], float] = defaultdict(float)
    shared: set[date] = set()
    for (group, day), figure in latest.items():
        size = max(len(figure.window.days), 1)
        if size > 1:
            shared.add(day)
        for name, value in figure.values.items():
            values[(day, group, name)] += value / size
    return dict(values), shared


def totals_over(latest: LatestFigures, window: Window) -> tuple[dict[tuple[str, str], int], bool]:
    """{(group, name): total} over the dates of `window`, and whether some total holds a share of a
    write that also covered other dates (or whose other dates were written again since)."""
    covered: dict[tuple, tuple[Figure, set[date]]] = {}
    for (_, day), figure in latest.items():
        if window.covers(day):
            covered.setdefault(figure.key, (figure, set()))[1].add(day)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    approximate = False
    for figure, days in covered.values():
        whole = days == set(figure.window.days)
        approximate |= not whole
        share = 1.0 if whole else len(days) / max(len(figure.window.days), 1)
        for name, value in figure.values.items():
            totals[(figure.group, name)] += value * share
    return {k: int(round(v)) for k, v in totals.items()}, approximate


def quarantine_values(metadata: Mapping[str, Any]) -> dict[str, int]:
    """{reason: rows} of a quarantine/<source> materialization; rows beyond the recorded reasons
    (or all of them, when none is recorded) as `other`."""
    reasons = {k[len(QUARANTINE_REASON):]: int(v) for k, v in metadata.items()
               if k.startswith(QUARANTINE_REASON) and isinstance(v, (int, float)) and not isinstance(v, bool) and v}
    written = metadata.get(ROW_COUNT)
    if isinstance(written, int) and written > sum(reasons.values()):
        reasons[OTHER_REASON] = written - sum(reasons.values())
    return reasons


def row_count_values(metadata: Mapping[str, Any]) -> dict[str, int]:
    written = metadata.get(ROW_COUNT)
    return {"rows": int(written)} if isinstance(written, int) else {}


# ---- readers of the Dagster event log --------------------------------------------------------


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
            window = window_from_metadata(metadata) or run_window(instance, record.run_id, runs)
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
            window = run_window(instance, record.run_id, runs)
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
