"""The weekly `maintenance` job: retention, then OPTIMIZE, then VACUUM, on every Delta table.

In that order, so the files a retention DELETE or an OPTIMIZE leaves behind are
removed by a later week's VACUUM once they are older than its retention. Each table
is handled on its own: a transient error retries the step, a table that does not
exist yet is skipped.
"""

from datetime import UTC, datetime, timedelta

from dagster import (
    DefaultScheduleStatus,
    In,
    MetadataValue,
    Nothing,
    OpExecutionContext,
    Out,
    ScheduleDefinition,
    job,
    op,
)

from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.jobs import RETRY_POLICY
from lakehouse_assets.maintenance.tables import (
    RETENTION_COLUMNS,
    delete_before,
    discover_tables,
    optimize,
    retention_cutoff,
    vacuum,
)
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.run_plan import WRITER_TAGS
from lakehouse_assets.settings import OrchestrationSettings

MAINTENANCE_JOB = "maintenance"


@op(out=Out(Nothing), description="Delta DELETE of rows older than their layer's retention (config).")
def apply_retention(context: OpExecutionContext, spark: SparkResource) -> None:
    settings = spark.settings
    retention = settings.orchestration.maintenance.retention_days
    today = datetime.now(UTC).date()
    deleted: dict[str, dict] = {}
    for key in discover_tables(spark.session, settings.lakehouse_root):
        layer, column = key.split("/")[0], RETENTION_COLUMNS.get(key)
        if column is None or layer not in retention:
            continue
        cutoff = retention_cutoff(today, retention[layer], column)
        with classified_failures(f"deleting rows of {key} before {cutoff}", settings.orchestration,
                                 attempt_number(context)):
            rows = delete_before(spark.session, settings.lakehouse_root, key, column, cutoff)
        deleted[key] = {"before": cutoff.isoformat(), "rows_deleted": rows}
        context.log.info(f"{key}: {rows} row(s) with {column} < {cutoff} deleted")
    context.add_output_metadata({"retention": MetadataValue.json(deleted)})


@op(ins={"after": In(Nothing)}, out=Out(Nothing),
    description="OPTIMIZE every table (Z-order columns from config; recent date partitions only).")
def optimize_tables(context: OpExecutionContext, spark: SparkResource) -> None:
    settings = spark.settings
    upkeep = settings.orchestration.maintenance
    since = datetime.now(UTC).date() - timedelta(days=upkeep.optimize_recent_days)
    report: dict[str, dict] = {}
    for key in discover_tables(spark.session, settings.lakehouse_root):
        with classified_failures(f"optimizing {key}", settings.orchestration, attempt_number(context)):
            report[key] = optimize(spark.session, settings.lakehouse_root, key, upkeep.zorder_by.get(key, ()), since)
    context.add_output_metadata({"optimize": MetadataValue.json(report)})


@op(ins={"after": In(Nothing)}, description="VACUUM every table with the retention from config.")
def vacuum_tables(context: OpExecutionContext, spark: SparkResource) -> None:
    settings = spark.settings
    hours = settings.orchestration.maintenance.vacuum_retention_hours
    report: dict[str, int | None] = {}
    for key in discover_tables(spark.session, settings.lakehouse_root):
        with classified_failures(f"vacuuming {key}", settings.orchestration, attempt_number(context)):
            report[key] = vacuum(spark.session, settings.lakehouse_root, key, hours)
    context.log.info(f"vacuumed {len(report)} table(s) with a {hours}h retention")
    context.add_output_metadata({"files_deleted": MetadataValue.json(report), "retention_hours": hours})


@job(name=MAINTENANCE_JOB, tags=WRITER_TAGS, op_retry_policy=RETRY_POLICY,
     description="Weekly upkeep: retention (Delta DELETE), OPTIMIZE with Z-order, VACUUM.")
def maintenance_job():
    vacuum_tables(after=optimize_tables(after=apply_retention()))


def build_maintenance_schedule(at_load: OrchestrationSettings) -> ScheduleDefinition:
    """Weekly by default; cron and time zone come from config when the code location loads."""
    return ScheduleDefinition(
        name="weekly_maintenance",
        cron_schedule=at_load.maintenance.cron,
        execution_timezone=at_load.timezone,
        job=maintenance_job,
        default_status=DefaultScheduleStatus.RUNNING if at_load.autostart else DefaultScheduleStatus.STOPPED,
        description="Retention, OPTIMIZE and VACUUM of every Delta table.",
    )
