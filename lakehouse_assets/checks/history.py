"""Rows per partition of a Delta table, from its transaction log rather than its data.

Every file Delta adds records its partition values and, in its statistics, its
row count; summing those per date gives a table's daily volume history without
scanning it. Files written without statistics make the function fall back to
counting the partition column.
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def _log_files(spark: SparkSession, path: str) -> DataFrame:
    # Resolving the table refreshes the process's cached Delta log to its latest version.
    spark.read.format("delta").load(path).schema  # noqa: B018 - evaluated for the refresh
    jvm = spark.sparkContext._jvm
    log = jvm.org.apache.spark.sql.delta.DeltaLog.forTable(spark._jsparkSession, path)
    return DataFrame(log.unsafeVolatileSnapshot().allFiles().toDF(), spark)


def partition_row_counts(spark: SparkSession, path: str, column: str) -> dict[date, int]:
    """{partition date: rows} of a Delta table physically partitioned by the DATE `column`."""
    files = _log_files(spark, path)
    rows = files.groupBy(F.col("partitionValues")[column].alias("day")).agg(
        F.sum(F.get_json_object("stats", "$.numRecords").cast("long")).alias("rows"),
        F.count(F.when(F.get_json_object("stats", "$.numRecords").isNull(), F.lit(1))).alias("unknown"),
    ).collect()
    if any(r["unknown"] or r["day"] is None for r in rows):
        counted = spark.read.format("delta").load(path).groupBy(column).count().collect()
        return {r[column]: int(r["count"]) for r in counted if r[column] is not None}
    return {date.fromisoformat(r["day"]): int(r["rows"] or 0) for r in rows}
