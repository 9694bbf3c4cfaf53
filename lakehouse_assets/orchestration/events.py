"""Schedules of the events source (docs/sources.md), each skipped while `LAKEHOUSE_KAFKA_BOOTSTRAP`
is unset (read at each tick):

- `events_stream_every_15_minutes`: the `events_stream` job, an available-now read of
  retail.events (a bounded batch: a tick that finds the previous run still going waits for
  the writer queue);
- `events_yesterday`: `events_daily` for the last complete business day, half an hour
  after the daily schedule, so the day's late messages are in bronze.
"""

import os
from datetime import UTC, datetime

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from lakehouse_assets.orchestration.schedules import last_complete_day
from lakehouse_assets.resources.kafka import BOOTSTRAP_VAR
from lakehouse_assets.run_plan import EVENTS_DAILY_JOB, EVENTS_INGEST_JOB, TRIGGER_TAG
from lakehouse_assets.settings import OrchestrationSettings

STREAM_SCHEDULE, DAILY_SCHEDULE = "events_stream_every_15_minutes", "events_yesterday"
DAILY_DELAY_MINUTES = 30
SKIPPED = f"{BOOTSTRAP_VAR} is not set: the events source is not configured (docs/sources.md)"


def _status(at_load: OrchestrationSettings) -> DefaultScheduleStatus:
    return DefaultScheduleStatus.RUNNING if at_load.autostart else DefaultScheduleStatus.STOPPED


def build_events_schedules(at_load: OrchestrationSettings) -> list[ScheduleDefinition]:
    @schedule(name=STREAM_SCHEDULE, cron_schedule="*/15 * * * *", execution_timezone=at_load.timezone,
              job_name=EVENTS_INGEST_JOB, default_status=_status(at_load),
              description="Read retail.events to its end into bronze/events, when LAKEHOUSE_KAFKA_BOOTSTRAP is set.")
    def events_stream_every_15_minutes(context: ScheduleEvaluationContext):
        if not os.environ.get(BOOTSTRAP_VAR):
            return SkipReason(SKIPPED)
        return RunRequest(tags={TRIGGER_TAG: "schedule"})

    minutes = at_load.daily_hour * 60 + at_load.daily_minute + DAILY_DELAY_MINUTES
    hour, minute = divmod(minutes % (24 * 60), 60)

    @schedule(name=DAILY_SCHEDULE, cron_schedule=f"{minute} {hour} * * *", execution_timezone=at_load.timezone,
              job_name=EVENTS_DAILY_JOB, default_status=_status(at_load),
              description="silver/events and the product funnel of the last complete business day.")
    def events_yesterday(context: ScheduleEvaluationContext):
        if not os.environ.get(BOOTSTRAP_VAR):
            return SkipReason(SKIPPED)
        day = last_complete_day(context.scheduled_execution_time or datetime.now(UTC)).isoformat()
        return RunRequest(run_key=f"events:{day}", partition_key=day, tags={TRIGGER_TAG: "schedule"})

    return [events_stream_every_15_minutes, events_yesterday]
