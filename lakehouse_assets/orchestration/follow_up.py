"""After a successful daily run: its months' marts, the unpartitioned tables, the archive.

The monthly marts and `customer_lifetime_value` follow the daily tables through this
run-status sensor rather than declarative automation: it asks for exactly the months
the daily run's partition range touches, whatever started that run (the schedule, the
landing sensor for a late file, or a backfill from the UI), in one run per job.
Runs of `lakehouse run` execute in its own process and do their follow-ups themselves.
"""

from dagster import (
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    run_status_sensor,
)

from lakehouse_assets.jobs import daily_job, monthly_job, unpartitioned_job
from lakehouse_assets.orchestration.archive import ARCHIVE_JOB, archive_job, archive_run_config
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.run_plan import AFTER_RUN_TAG, TRIGGER_TAG, downstream_runs, run_days


def follow_up_requests(run: DagsterRun, archive: bool) -> list[RunRequest]:
    """The runs that bring everything downstream of a successful daily run up to date."""
    days = run_days(run.tags)
    if days is None:
        return []
    tags = {TRIGGER_TAG: "follow_up", AFTER_RUN_TAG: run.run_id}
    requests = []
    for planned in downstream_runs(*days, tags=tags):
        run_key = f"{run.run_id}:{planned.job_name}"
        if planned.first is not None and planned.first == planned.last:
            # One month: a plain partition run, as a click in the UI would start.
            requests.append(RunRequest(run_key=run_key, job_name=planned.job_name, partition_key=planned.first,
                                       tags=tags))
        else:
            requests.append(RunRequest(run_key=run_key, job_name=planned.job_name, tags=planned.tags))
    if archive:
        requests.append(RunRequest(run_key=f"{run.run_id}:{ARCHIVE_JOB}", job_name=ARCHIVE_JOB, tags=tags,
                                   run_config=archive_run_config(run.run_id)))
    return requests


@run_status_sensor(
    name="follow_up_daily_runs",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_job],
    request_jobs=[monthly_job, unpartitioned_job, archive_job],
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="After each successful daily run: the months it touched, customer lifetime value, "
                "and (if configured) archiving of the landing files it ingested.",
)
def follow_up_daily_runs(context: RunStatusSensorContext, lakehouse: LakehouseSettings):
    requests = follow_up_requests(context.dagster_run, lakehouse.settings.orchestration.archive_landing)
    if not requests:
        context.log.info(f"run {context.dagster_run.run_id} has no partition tags: no follow-up")
    return requests
