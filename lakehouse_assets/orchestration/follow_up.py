"""After a successful daily run: its months' marts, the unpartitioned tables, the archive.

The monthly marts and `customer_lifetime_value` follow the daily tables through this
run-status sensor rather than declarative automation: it asks for exactly the months
the daily run's partition range touches, whatever started that run (the schedule, the
landing sensor for a late file, or a backfill from the UI), in one run per job.
Runs of `lakehouse run` execute in its own process and do their follow-ups themselves.
"""

from datetime import date

from dagster import (
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    run_status_sensor,
)

from lakehouse_assets.jobs import (
    MONTHLY_JOB,
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    TRIGGER_TAG,
    UNPARTITIONED_JOB,
    daily_job,
    monthly_job,
    unpartitioned_job,
)
from lakehouse_assets.orchestration.archive import ARCHIVE_JOB, archive_job, archive_run_config
from lakehouse_assets.partitions import month_start
from lakehouse_assets.settings import load_settings


def run_days(run: DagsterRun) -> tuple[date, date] | None:
    """The (first, last) business dates a daily run covered, from its partition tags."""
    tags = run.tags
    if tags.get(PARTITION_TAG):
        day = date.fromisoformat(tags[PARTITION_TAG])
        return day, day
    if tags.get(RANGE_START_TAG) and tags.get(RANGE_END_TAG):
        return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
    return None


def follow_up_requests(run: DagsterRun, archive: bool) -> list[RunRequest]:
    """The runs that bring everything downstream of a successful daily run up to date."""
    days = run_days(run)
    if days is None:
        return []
    first, last = (month_start(d).isoformat() for d in days)
    tags = {TRIGGER_TAG: "follow_up", "lakehouse/after_run": run.run_id}
    monthly_key = f"{run.run_id}:{MONTHLY_JOB}"
    if first == last:
        monthly = RunRequest(run_key=monthly_key, job_name=MONTHLY_JOB, partition_key=first, tags=tags)
    else:
        monthly = RunRequest(run_key=monthly_key, job_name=MONTHLY_JOB,
                             tags={**tags, RANGE_START_TAG: first, RANGE_END_TAG: last})
    requests = [
        monthly,
        RunRequest(run_key=f"{run.run_id}:{UNPARTITIONED_JOB}", job_name=UNPARTITIONED_JOB, tags=tags),
    ]
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
def follow_up_daily_runs(context: RunStatusSensorContext):
    requests = follow_up_requests(context.dagster_run, load_settings().orchestration.archive_landing)
    if not requests:
        context.log.info(f"run {context.dagster_run.run_id} has no partition tags: no follow-up")
    return requests
