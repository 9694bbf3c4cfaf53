"""The daily schedule: every layer for the last complete business day.

Business dates are UTC days. The schedule fires at `daily_hour:daily_minute` in
`timezone` (config) and materializes the latest UTC day that has fully ended at that
moment: with `timezone: UTC, daily_hour: 2` that is yesterday; an hour that falls
before midnight UTC (e.g. 06:00 Asia/Tokyo) gets the day before. Monthly marts and
unpartitioned tables follow through the follow-up sensor.
"""

from datetime import UTC, date, datetime, timedelta

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from lakehouse_assets.jobs import daily_job
from lakehouse_assets.run_plan import TRIGGER_TAG
from lakehouse_assets.settings import OrchestrationSettings


def last_complete_day(moment: datetime) -> date:
    """The latest UTC business day that has ended at `moment` (any time zone)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.date() - timedelta(days=1)


def build_daily_schedule(at_load: OrchestrationSettings) -> ScheduleDefinition:
    @schedule(
        name="daily_lakehouse",
        cron_schedule=f"{at_load.daily_minute} {at_load.daily_hour} * * *",
        execution_timezone=at_load.timezone,
        job=daily_job,
        default_status=DefaultScheduleStatus.RUNNING if at_load.autostart else DefaultScheduleStatus.STOPPED,
        description="Every daily table, bronze to gold, for the last complete business day (UTC).",
    )
    def daily_lakehouse(context: ScheduleEvaluationContext) -> RunRequest:
        moment = context.scheduled_execution_time or datetime.now(UTC)
        day = last_complete_day(moment).isoformat()
        return RunRequest(run_key=f"daily:{day}", partition_key=day, tags={TRIGGER_TAG: "schedule"})

    return daily_lakehouse
