"""Upkeep of the lakehouse's Delta tables: retention, OPTIMIZE (Z-order), VACUUM.

Retention removes rows older than their layer's retention with a Delta DELETE, so
the change is a commit like any other (readers keep a consistent snapshot, time
travel works); the files go only when VACUUM later finds them unreferenced for longer
than its retention. Only event tables keyed by a business date have a retention:
dimensions, master-data change records (SCD2 history is rebuilt from them), FX rates
(the fact looks back without limit), dim_date, the audit table (it makes re-delivered
files harmless) and customer lifetime value are kept whole.
"""

from __future__ import annotations

from datetime import date, timedelta

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.io_managers.tables import layer_of, layer_write_settings, table_uri
from lakehouse_assets.partitions import month_start
from lakehouse_assets.resources.landing import to_spark_uri
from lakehouse_assets.resources.session_settings import session_settings
from lakehouse_assets.sources import SOURCES

MONTH_COLUMN = "month"
RETENTION_COLUMNS: dict[str, str] = {
    **{f"bronze/{name}": PARTITION_COLUMN for name in SOURCES},
    **{f"quarantine/{name}": PARTITION_COLUMN for name in SOURCES},
    "silver/orders": "order_date",
    "gold/fact_sales": "order_date",
    "gold/customer_monthly_sales": MONTH_COLUMN,
    "gold/sales_team_monthly": MONTH_COLUMN,
    "gold/category_monthly_revenue": MONTH_COLUMN,
}


def discover_tables(spark: SparkSession, lakehouse_root: str) -> list[str]:
    """`layer/table` of every Delta table under the root (local or S3), sorted."""
    jvm = spark.sparkContext._jvm
    pattern = jvm.org.apache.hadoop.fs.Path(to_spark_uri(lakehouse_root.rstrip("/")) + "/*/*/_delta_log")
    fs = pattern.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    statuses = fs.globStatus(pattern) or []
    return sorted(f"{s.getPath().getParent().getParent().getName()}/{s.getPath().getParent().getName()}"
                  for s in statuses)


def retention_cutoff(today: date, days: int, column: str) -> date:
    """Rows with `column` before this date are past retention. A month goes only when
    every day of it is past retention, so a mart never holds part of a month."""
    cutoff = today - timedelta(days=days)
    return month_start(cutoff) if column == MONTH_COLUMN else cutoff


def _last_operation(table: DeltaTable) -> tuple[int, str, dict]:
    row = table.history(1).collect()[0]
    return int(row["version"]), str(row["operation"]), dict(row["operationMetrics"] or {})


def delete_before(spark: SparkSession, root: str, key: str, column: str, cutoff: date) -> int:
    """Delta DELETE of the rows with `column < cutoff`; returns the rows deleted."""
    table = DeltaTable.forPath(spark, table_uri(root, key.split("/")))
    before, _, _ = _last_operation(table)
    with layer_write_settings(spark, layer_of(key.split("/"))):  # DELETE rewrites the files it keeps rows of
        table.delete(F.col(column) < F.lit(cutoff))
    version, operation, metrics = _last_operation(table)
    if version == before or operation != "DELETE":
        return 0
    return int(metrics.get("numDeletedRows", 0))


def optimize(spark: SparkSession, root: str, key: str, zorder_by: tuple[str, ...] = (),
             since: date | None = None) -> dict[str, int]:
    """Compact small files (Z-ordered by `zorder_by` when given). For a table partitioned by
    its business date, only partitions from `since` on: older ones were done in earlier weeks."""
    table = DeltaTable.forPath(spark, table_uri(root, key.split("/")))
    partition_columns = list(table.detail().collect()[0]["partitionColumns"])
    unknown = [c for c in zorder_by if c not in table.toDF().columns or c in partition_columns]
    if unknown:
        raise ValueError(f"orchestration.maintenance.zorder_by.{key}: {unknown} are not non-partition "
                         f"columns of the table")
    builder = table.optimize()
    date_column = RETENTION_COLUMNS.get(key)
    if since is not None and date_column in partition_columns:
        builder = builder.where(f"`{date_column}` >= '{since.isoformat()}'")
    with layer_write_settings(spark, layer_of(key.split("/"))):  # files rewritten as the layer writes them
        result = builder.executeZOrderBy(*zorder_by) if zorder_by else builder.executeCompaction()
    metrics = result.collect()[0]["metrics"]
    return {"files_added": int(metrics["numFilesAdded"]), "files_removed": int(metrics["numFilesRemoved"])}


LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism"


def vacuum(spark: SparkSession, root: str, key: str, retention_hours: float) -> int | None:
    """Delete files no version newer than `retention_hours` needs; the count when Delta logs it."""
    table = DeltaTable.forPath(spark, table_uri(root, key.split("/")))
    # VACUUM lists the table with one task per LISTING_PARALLELISM (10,000 by default):
    # minutes of task scheduling for a small table. The session's own parallelism suffices.
    with session_settings(spark, {LISTING_PARALLELISM: str(spark.sparkContext.defaultParallelism)}):
        table.vacuum(retention_hours)
    _, operation, metrics = _last_operation(table)
    return int(metrics["numDeletedFiles"]) if operation == "VACUUM END" and "numDeletedFiles" in metrics else None
