"""Which runs bring a date range up to date, and the tags that say what a run covers.

One place for the job names, the run tags and the day -> month mapping, used by
`lakehouse run`, the schedule, the landing sensor and the follow-up sensor: a daily
run over a date range, then the monthly marts of the months it touches, then the
unpartitioned tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from lakehouse_assets.partitions import month_start
from lakehouse_assets.resources.crm_db import CRM_UNTIL_TAG

DAILY_JOB = "daily_assets"
MONTHLY_JOB = "monthly_marts"
UNPARTITIONED_JOB = "unpartitioned_tables"
SERVING_MONTHLY_JOB = "serving_monthly_marts"
SERVING_UNPARTITIONED_JOB = "serving_unpartitioned_marts"
CRM_EXTRACT_JOB = "crm_extract"
CRM_MONTHLY_JOB = "crm_monthly"
EVENTS_INGEST_JOB = "events_stream"
EVENTS_DAILY_JOB = "events_daily"
EVENTS_MONTHLY_JOB = "events_monthly"

# Every job that writes to the lakehouse or the landing zone carries WRITER_TAGS, so an
# instance's run queue can allow one writer at a time (docs/operations.md: Delta on S3).
WRITER_TAG = "lakehouse/writer"
WRITER_TAGS = {WRITER_TAG: "lakehouse"}
TRIGGER_TAG = "lakehouse/trigger"  # what started a run: schedule, landing_sensor, follow_up
AFTER_RUN_TAG = "lakehouse/after_run"
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(first: str, last: str | None = None) -> dict[str, str]:
    """Tags that make a run cover the partition keys `first..last` (one run, single-run backfill)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last or first}


def run_days(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The (first, last) business dates a daily run covered, from its partition tags."""
    if tags.get(PARTITION_TAG):
        day = date.fromisoformat(tags[PARTITION_TAG])
        return day, day
    if tags.get(RANGE_START_TAG):
        return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags.get(RANGE_END_TAG)
                                                                             or tags[RANGE_START_TAG])
    return None


def partition_label(tags: Mapping[str, str]) -> str:
    """What a run covers, for people: a date, a range, or '(not partitioned)'."""
    if tags.get(PARTITION_TAG):
        return tags[PARTITION_TAG]
    if tags.get(RANGE_START_TAG):
        return f"{tags[RANGE_START_TAG]} .. {tags.get(RANGE_END_TAG, tags[RANGE_START_TAG])}"
    return "(not partitioned)"


@dataclass
class PlannedRun:
    job_name: str
    first: str | None = None  # partition key range, inclusive; None = unpartitioned
    last: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.first is not None:
            self.tags = {**self.tags, **range_tags(self.first, self.last)}

    def describe(self) -> str:
        if self.first is None:
            return self.job_name
        span = self.first if self.first == self.last else f"{self.first}..{self.last}"
        return f"{self.job_name} [{span}]"


def downstream_runs(first: date, last: date, tags: Mapping[str, str] | None = None) -> list[PlannedRun]:
    """After the daily tables of `[first, last]`: their months' marts, then the unpartitioned tables."""
    extra = dict(tags or {})
    return [
        PlannedRun(MONTHLY_JOB, month_start(first).isoformat(), month_start(last).isoformat(), tags=extra),
        PlannedRun(UNPARTITIONED_JOB, tags=extra),
    ]


def serving_runs(first: date, last: date) -> list[PlannedRun]:
    """The mart database's exports after `[first, last]`: its months' marts, then lifetime value."""
    return [
        PlannedRun(SERVING_MONTHLY_JOB, month_start(first).isoformat(), month_start(last).isoformat()),
        PlannedRun(SERVING_UNPARTITIONED_JOB),
    ]


def events_runs(first: date, last: date) -> list[PlannedRun]:
    """The events source after the daily tables of `[first, last]`: read the topic to its end,
    then silver and the funnel of the range's days, then engagement of its months (docs/sources.md)."""
    return [
        PlannedRun(EVENTS_INGEST_JOB),
        PlannedRun(EVENTS_DAILY_JOB, first.isoformat(), last.isoformat()),
        PlannedRun(EVENTS_MONTHLY_JOB, month_start(first).isoformat(), month_start(last).isoformat()),
    ]


def crm_runs(first: date, last: date) -> list[PlannedRun]:
    """The crm source after the daily tables of `[first, last]`: extract up to the end of `last`,
    then the pipeline mart of the months it touches (docs/sources.md)."""
    return [
        PlannedRun(CRM_EXTRACT_JOB, tags={CRM_UNTIL_TAG: last.isoformat()}),
        PlannedRun(CRM_MONTHLY_JOB, month_start(first).isoformat(), month_start(last).isoformat()),
    ]


def plan_runs(first: date, last: date) -> list[PlannedRun]:
    """Every run that materializes `[first, last]` (inclusive) and everything downstream of it."""
    return [PlannedRun(DAILY_JOB, first.isoformat(), last.isoformat()), *downstream_runs(first, last)]
