"""The `fetch_fx_rates` job (one day's rates from the FX API into the landing zone) and the
`fx_rates_yesterday` schedule that runs it for the last complete business day.

The job is partitioned like the daily tables, so the UI launches or backfills it for any
days. Once the file lands, the landing sensor starts the daily job for its date like for
any other landing file. The schedule runs only while `LAKEHOUSE_FX_API_URL` is set (read
at each tick); without it each tick is skipped with the reason. The client's bounded wait
on 429/503 is the job's only retry: a failure after it is not retried by the run.
"""

import os
from datetime import UTC, date, datetime

from dagster import (
    DefaultScheduleStatus,
    Failure,
    OpExecutionContext,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    job,
    op,
    schedule,
)

from lakehouse_assets.fx_api.client import URL_VAR, FxApiClient, FxApiError
from lakehouse_assets.fx_api.landing import fetch_and_land
from lakehouse_assets.jobs import RETRY_POLICY
from lakehouse_assets.orchestration.schedules import last_complete_day
from lakehouse_assets.partitions import daily_partitions
from lakehouse_assets.resources.storage_resource import LakehouseStorage
from lakehouse_assets.run_plan import TRIGGER_TAG
from lakehouse_assets.settings import OrchestrationSettings

FX_JOB = "fetch_fx_rates"
FX_SCHEDULE = "fx_rates_yesterday"
LEAD_HOURS = 1  # the fetch runs this long before the daily schedule, so the daily run finds the file


@op(out={},  # lands a file, returns nothing: no IO manager, no Spark
    description="Read the partition day's rates from LAKEHOUSE_FX_API_URL and land them as "
                "fx_rates/date=<day>/api.jsonl (unchanged content is not rewritten).")
def fetch_fx_rates_for_day(context: OpExecutionContext, storage: LakehouseStorage):
    day = date.fromisoformat(context.partition_key)
    settings = storage.settings
    try:
        client = FxApiClient.from_env(settings.fx_api)
        landed = fetch_and_land(client, storage.landing, storage.landing_root, day)
    except FxApiError as error:
        raise Failure(description=str(error), allow_retries=False) from None
    waited = f" after waiting {client.waited:.1f} s for the API" if client.waited else ""
    context.log.info(landed.describe() + waited)


@job(name=FX_JOB, partitions_def=daily_partitions, op_retry_policy=RETRY_POLICY,
     description="Land one day's FX rates from the FX API (SPEC §7) in the landing zone.")
def fx_job():
    fetch_fx_rates_for_day()


def build_fx_schedule(at_load: OrchestrationSettings) -> ScheduleDefinition:
    hour = max(at_load.daily_hour - LEAD_HOURS, 0)

    @schedule(
        name=FX_SCHEDULE,
        cron_schedule=f"{at_load.daily_minute} {hour} * * *",
        execution_timezone=at_load.timezone,
        job=fx_job,
        default_status=DefaultScheduleStatus.RUNNING if at_load.autostart else DefaultScheduleStatus.STOPPED,
        description="Fetch the last complete business day's FX rates, when LAKEHOUSE_FX_API_URL is set.",
    )
    def fx_rates_yesterday(context: ScheduleEvaluationContext):
        if not os.environ.get(URL_VAR):
            return SkipReason(f"{URL_VAR} is not set: FX rates come from landing files only (docs/sources.md)")
        moment = context.scheduled_execution_time or datetime.now(UTC)
        day = last_complete_day(moment).isoformat()
        return RunRequest(run_key=f"fx:{day}", partition_key=day, tags={TRIGGER_TAG: "schedule"})

    return fx_rates_yesterday
