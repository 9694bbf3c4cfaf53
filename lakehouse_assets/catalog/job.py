"""The `register_catalog` job, and the sensor that runs it after the asset jobs.

Registration needs the contracts and the lakehouse root only (no Spark), and a table
already registered is left untouched unless its definition changed, so running it after
every successful asset job costs one GetTable per table. The sensor does so when
`catalog.kind` is `glue`; the job can always be launched by hand.
"""

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    MetadataValue,
    OpExecutionContext,
    RunRequest,
    RunStatusSensorContext,
    SkipReason,
    job,
    op,
    run_status_sensor,
)

from lakehouse_assets.catalog.glue import CREATED, UPDATED
from lakehouse_assets.catalog.register import register_lakehouse
from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.jobs import ASSET_JOBS, RETRY_POLICY
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.run_plan import AFTER_RUN_TAG, TRIGGER_TAG

CATALOG_JOB = "register_catalog"


@op(description="Register every Delta table in the Glue database of catalog.database (create or update).")
def register_tables(context: OpExecutionContext, lakehouse: LakehouseSettings) -> None:
    settings = lakehouse.settings
    database = settings.catalog.database
    with classified_failures(f"registering the tables in {database}", settings.orchestration,
                             attempt_number(context)):
        result = register_lakehouse(settings.lakehouse_root, database)
    context.log.info(result.summary())
    context.add_output_metadata({
        "database": database,
        "tables": len(result.tables),
        "created": MetadataValue.json(result.named(CREATED)),
        "updated": MetadataValue.json(result.named(UPDATED)),
    })


@job(name=CATALOG_JOB, op_retry_policy=RETRY_POLICY,
     description="Register every Delta table (location, columns, partition keys, descriptions) in Glue.")
def catalog_job():
    register_tables()


@run_status_sensor(
    name="register_catalog_after_runs",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=ASSET_JOBS,
    request_job=catalog_job,
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="After each successful asset job, register the tables in Glue when catalog.kind is glue.",
)
def register_catalog_after_runs(context: RunStatusSensorContext, lakehouse: LakehouseSettings):
    if lakehouse.settings.catalog.kind != "glue":
        return SkipReason("catalog.kind is none: the tables are registered by `lakehouse catalog` only")
    run_id = context.dagster_run.run_id
    return RunRequest(run_key=f"{run_id}:{CATALOG_JOB}", tags={TRIGGER_TAG: "catalog", AFTER_RUN_TAG: run_id})
