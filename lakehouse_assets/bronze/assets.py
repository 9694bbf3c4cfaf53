"""bronze/<source>: every data line of the date's landing files, as text, with lineage."""

from datetime import datetime, timezone

from dagster import AssetExecutionContext, AssetsDefinition, MetadataValue, asset
from pyspark.sql import DataFrame

from lakehouse_assets.bronze.ingest import PARTITION_COLUMN, inspect_files, read_bronze
from lakehouse_assets.partitions import daily_partitions, days_in, single_run_backfill
from lakehouse_assets.resources.landing import hash_files, list_landing_files
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import LANDING_FORMATS, SOURCES, Source


def build_bronze_asset(source: Source) -> AssetsDefinition:
    @asset(
        key=["bronze", source.name],
        group_name="bronze",
        partitions_def=daily_partitions,
        backfill_policy=single_run_backfill,
        metadata={"partition_expr": PARTITION_COLUMN},
        description=f"Every data line of the {source.name} landing files, as text, with lineage.",
        kinds={"spark", "delta"},
    )
    def _bronze(context: AssetExecutionContext, spark: SparkResource) -> DataFrame:
        window = context.partition_time_window
        days = days_in(window.start, window.end)
        files = list_landing_files(spark.settings.landing_root, source.name, days)
        readable = [f for f in files if f.format is not None]
        unreadable = [f.uri for f in files if f.format is None]
        if unreadable:
            context.log.warning(
                f"{len(unreadable)} {source.name} file(s) have an extension the landing zone does not "
                f"accept ({', '.join(LANDING_FORMATS)}) and were not read; audit/ingested_files lists "
                f"them as rejected: {unreadable[:5]}"
            )
        if not files:
            context.log.warning(f"no {source.name} files landed for {days[0]}..{days[-1]}")
        context.log.info(f"reading {len(readable)} {source.name} file(s) for {len(days)} day(s)")
        hashes = hash_files(readable)
        shapes = inspect_files(spark.session, source, readable)
        problems = {path: [p.detail for p in shape.problems] for path, shape in shapes.items() if shape.problems}
        if problems:
            context.log.warning(f"{len(problems)} {source.name} file(s) do not match the source's columns "
                                f"(the bronze check judges them): {dict(list(problems.items())[:5])}")
        context.add_output_metadata({
            "landing_files": len(readable),
            "landing_bytes": sum(f.size for f in readable),
            "rejected_files": MetadataValue.json(unreadable),
            "file_problems": MetadataValue.json(problems),
        })
        return read_bronze(spark.session, source, readable, hashes,
                           run_id=context.run.run_id, ingested_at=datetime.now(timezone.utc),
                           new_columns=spark.settings.schema_drift.new_columns, shapes=shapes)

    return _bronze


bronze_assets = [build_bronze_asset(source) for source in SOURCES.values()]
