"""audit/ingested_files: one row per landing file seen, what an operator reads first.

Built from the bronze partitions of the same run window (rows and content hash per
file) plus a fresh listing of the landing folders, so files that gave no bronze
rows (header only, empty, an extension we do not read) are listed too.
"""

from collections import Counter
from functools import reduce

from dagster import AssetExecutionContext, AssetIn, MetadataValue, asset
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.bronze.ingest import PARTITION_COLUMN
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.partitions import daily_partitions, days_in, single_run_backfill
from lakehouse_assets.resources.landing import LandingFile, content_hash, list_landing_files
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import SOURCES

INGESTED, DUPLICATE_CONTENT, EMPTY, REJECTED = "ingested", "duplicate_content", "no_data_lines", "rejected_format"

_LISTED = T.StructType([
    T.StructField("path", T.StringType()),
    T.StructField("source", T.StringType()),
    T.StructField("partition_date", T.DateType()),
    T.StructField("format", T.StringType()),
    T.StructField("size_bytes", T.LongType()),
    T.StructField("file_modified_at", T.TimestampType()),
    T.StructField("listed_hash", T.StringType()),
])


def _listed(spark, files: list[LandingFile]) -> DataFrame:
    return spark.createDataFrame(
        [(f.uri, f.source, f.partition_date, f.format, f.size, f.modified_at.replace(tzinfo=None), None)
         for f in files],
        _LISTED,
    )


def file_inventory(listed: DataFrame, bronze: DataFrame, run_id: str) -> DataFrame:
    """Join the landing listing with per-file bronze figures; one aggregation over bronze."""
    per_file = bronze.groupBy(F.col("_source_file").alias("path")).agg(
        F.count(F.lit(1)).alias("rows"),
        F.first("_file_hash").alias("bronze_hash"),
        F.first("_duplicate_of").alias("duplicate_of"),
        F.max("_ingested_at").alias("ingested_at"),
    )
    joined = listed.join(per_file, on="path", how="left")
    status = (
        F.when(F.col("format").isNull(), F.lit(REJECTED))
        .when(F.col("duplicate_of").isNotNull(), F.lit(DUPLICATE_CONTENT))
        .when(F.coalesce(F.col("rows"), F.lit(0)) == 0, F.lit(EMPTY))
        .otherwise(F.lit(INGESTED))
    )
    return joined.select(
        "path", "source", "partition_date", "format", "size_bytes",
        F.coalesce("bronze_hash", "listed_hash").alias("content_hash"),
        F.coalesce(F.col("rows"), F.lit(0)).cast("long").alias("rows"),
        status.alias("status"), "duplicate_of",
        F.lit(run_id).alias("run_id"), "file_modified_at",
        F.coalesce(F.col("ingested_at"), F.current_timestamp()).alias("ingested_at"),
    )


@asset(
    key=["audit", "ingested_files"],
    group_name="audit",
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    ins={f"bronze_{name}": AssetIn(key=["bronze", name]) for name in SOURCES},
    metadata={"partition_expr": "partition_date", "partition_by": False,
              **column_schema_metadata(["audit", "ingested_files"])},
    description="One row per landing file seen: path, size, content hash, rows, status, run.",
    kinds={"spark", "delta"},
)
def ingested_files(context: AssetExecutionContext, spark: SparkResource, **bronze: DataFrame) -> DataFrame:
    window = context.partition_time_window
    days = days_in(window.start, window.end)
    files = [f for name in SOURCES for f in list_landing_files(spark.settings.landing_root, name, days)]
    lineage_cols = ["_source_file", "_file_hash", "_duplicate_of", "_ingested_at", PARTITION_COLUMN]
    all_bronze = reduce(DataFrame.unionByName, [frame.select(*lineage_cols) for frame in bronze.values()])
    inventory = file_inventory(_listed(spark.session, files), all_bronze, context.run.run_id)
    # One row per file: small enough to finish on the driver in one Spark job. Files
    # bronze did not read (no data lines, rejected format) are hashed here.
    rows = [row.asDict() for row in inventory.collect()]
    for row in rows:
        if row["content_hash"] is None:
            row["content_hash"] = content_hash(row["path"])
    context.add_output_metadata({
        "files_seen": len(rows),
        "files_by_status": MetadataValue.json(dict(Counter(r["status"] for r in rows))),
    })
    return spark.session.createDataFrame(rows, inventory.schema)
