"""The `archive_landing` job: after a successful daily run, move the files it ingested aside.

Off by default (`orchestration.archive_landing`); the follow-up sensor requests it with
the daily run's id, and the files come from that run's rows of `audit/ingested_files`.
"""

from dagster import Config, OpExecutionContext, job, op

from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.jobs import RETRY_POLICY
from lakehouse_assets.maintenance.archive import archive_files
from lakehouse_assets.orchestration.ingested import audit_uri, read_rows
from lakehouse_assets.resources.storage_resource import LakehouseStorage
from lakehouse_assets.run_plan import WRITER_TAGS

ARCHIVE_JOB = "archive_landing"
AUDIT_COLUMNS = ["path", "size_bytes", "file_modified_at", "run_id"]
SHOWN = 20


class ArchiveConfig(Config):
    ingest_run_id: str


def archive_run_config(run_id: str) -> dict:
    return {"ops": {"archive_landing_files": {"config": {"ingest_run_id": run_id}}}}


@op(description="Move the landing files a daily run ingested to {landing_root}/_archive.")
def archive_landing_files(context: OpExecutionContext, config: ArchiveConfig, storage: LakehouseStorage) -> None:
    settings = storage.settings
    with classified_failures("archiving landing files", settings.orchestration, attempt_number(context)):
        audited = [row for row in read_rows(audit_uri(storage.lakehouse_root), AUDIT_COLUMNS)
                   if row["run_id"] == config.ingest_run_id]
        result = archive_files(storage.landing_root, audited, storage.landing)
    if result.changed:
        context.log.warning(f"{len(result.changed)} file(s) changed since run {config.ingest_run_id} read them "
                            f"and stay in the landing zone: {result.changed[:SHOWN]}")
    context.log.info(f"archived {len(result.moved)} of {len(audited)} file(s) of run {config.ingest_run_id}; "
                     f"{len(result.missing)} already gone")


@job(name=ARCHIVE_JOB, tags=WRITER_TAGS, op_retry_policy=RETRY_POLICY,
     description="Move the landing files a daily run ingested to the archive folder.")
def archive_job():
    archive_landing_files()
