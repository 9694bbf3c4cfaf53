"""Delta tables addressed by asset key: `[layer, table]` -> `{lakehouse_root}/{layer}/{table}`.

The only code that writes Delta. Three write modes cover every table:
- `replace_window`: replace the rows of a date window (a partition or a backfill
  range) atomically with Delta's `replaceWhere`, so re-materializing is idempotent;
- `overwrite`: replace the whole table (unpartitioned marts);
- `upsert_groups`: one MERGE that replaces every row of the groups (entities)
  present in the output, touching only those entities' files (dimensions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from dagster import AssetKey
from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse_assets.io_managers.retry import retry_on_conflict
from lakehouse_assets.resources.landing import to_spark_uri

DELETE_FLAG = "_delete"
# How Spark and Delta say a path holds no Delta table (nothing there, or files without a log).
MISSING_TABLE_ERRORS = {"PATH_NOT_FOUND", "DELTA_TABLE_NOT_FOUND", "DELTA_PATH_DOES_NOT_EXIST",
                        "DELTA_MISSING_DELTA_TABLE"}


def table_uri(lakehouse_root: str, key: AssetKey | Sequence[str]) -> str:
    parts = key.path if isinstance(key, AssetKey) else list(key)
    if len(parts) != 2:
        raise ValueError(f"asset key {parts} is not [layer, table]")
    return to_spark_uri(f"{lakehouse_root.rstrip('/')}/{parts[0]}/{parts[1]}")


def window_predicate(column: str, start: date, end: date) -> str:
    """SQL for `start <= column < end` on a DATE column."""
    return f"`{column}` >= DATE'{start.isoformat()}' AND `{column}` < DATE'{end.isoformat()}'"


@dataclass(frozen=True)
class Commit:
    """What one write did, as the UI shows it."""

    path: str
    version: int
    operation: str
    rows_written: int
    metrics: dict[str, Any]


class DeltaTables:
    """Reads and writes the lakehouse's Delta tables through one SparkSession."""

    def __init__(self, spark: SparkSession, lakehouse_root: str):
        self.spark = spark
        self.root = lakehouse_root

    def path(self, key: AssetKey | Sequence[str]) -> str:
        return table_uri(self.root, key)

    def exists(self, key: AssetKey | Sequence[str]) -> bool:
        return DeltaTable.isDeltaTable(self.spark, self.path(key))

    def read(self, key: AssetKey | Sequence[str], column: str | None = None,
             start: date | None = None, end: date | None = None) -> DataFrame:
        """The table, or its rows with `start <= column < end`."""
        path = self.path(key)
        try:
            # One Delta log lookup: asking `isDeltaTable` first would list the log twice per read.
            frame = self.spark.read.format("delta").load(path)
        except AnalysisException as error:
            if error.getErrorClass() not in MISSING_TABLE_ERRORS:
                raise
            raise FileNotFoundError(
                f"table {'/'.join(AssetKey.from_coercible(key).path)} does not exist at {path}: "
                "materialize it (or its partitions) first"
            ) from None
        if column and start and end:
            frame = frame.where(window_predicate(column, start, end))
        return frame

    @retry_on_conflict
    def replace_window(self, frame: DataFrame, key: AssetKey | Sequence[str], column: str,
                       start: date, end: date, partition_by: bool = True) -> Commit:
        """Atomically replace the rows of `[start, end)` in `column`. Delta rejects the write
        if a row falls outside the window, so a bug cannot spill into other partitions."""
        writer = (
            frame.write.format("delta").mode("overwrite")
            .option("replaceWhere", window_predicate(column, start, end))
        )
        if partition_by:
            writer = writer.partitionBy(column)
        writer.save(self.path(key))
        return self.last_commit(key)

    @retry_on_conflict
    def overwrite(self, frame: DataFrame, key: AssetKey | Sequence[str]) -> Commit:
        frame.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(self.path(key))
        return self.last_commit(key)

    @retry_on_conflict
    def upsert_groups(self, frame: DataFrame, key: AssetKey | Sequence[str],
                      row_key: str, group_key: str) -> Commit:
        """Make the table's rows for every `group_key` value in `frame` exactly `frame`'s rows:
        insert new `row_key`s, update existing ones, delete the group's rows no longer present."""
        path = self.path(key)
        if not DeltaTable.isDeltaTable(self.spark, path) and self._create(frame, path):
            return self.last_commit(key)
        target = DeltaTable.forPath(self.spark, path)
        current = target.toDF()
        groups = frame.select(group_key).distinct()
        stale = (
            current.join(groups, on=group_key, how="left_semi")
            .join(frame.select(row_key), on=row_key, how="left_anti")
        )
        changes = frame.withColumn(DELETE_FLAG, F.lit(False)).unionByName(
            stale.select(*frame.columns).withColumn(DELETE_FLAG, F.lit(True))
        )
        values = {c: F.col(f"s.`{c}`") for c in frame.columns}
        (
            target.alias("t")
            .merge(changes.alias("s"), f"t.`{row_key}` = s.`{row_key}`")
            .whenMatchedDelete(condition=F.col(f"s.{DELETE_FLAG}"))
            .whenMatchedUpdate(set=values)
            .whenNotMatchedInsert(condition=~F.col(f"s.{DELETE_FLAG}"), values=values)
            .execute()
        )
        return self.last_commit(key)

    def _create(self, frame: DataFrame, path: str) -> bool:
        """Create the table from `frame`; False if a concurrent writer created it first.

        `errorifexists`, not `overwrite`: a run that found no table must never overwrite
        the rows another run has just committed; it merges into them instead."""
        try:
            frame.write.format("delta").mode("errorifexists").save(path)
        except AnalysisException:
            if DeltaTable.isDeltaTable(self.spark, path):
                return False
            raise
        return True

    def last_commit(self, key: AssetKey | Sequence[str]) -> Commit:
        """Version and metrics of the table's latest commit, read from its commit file.

        Cheaper than `DESCRIBE HISTORY` (no Spark job): the write just refreshed the
        process's cached Delta log, so the version is known and one small JSON file is read."""
        path = self.path(key)
        jvm = self.spark.sparkContext._jvm
        log = jvm.org.apache.spark.sql.delta.DeltaLog.forTable(self.spark._jsparkSession, path)
        version = int(log.unsafeVolatileSnapshot().version())
        info = self._commit_info(f"{path}/_delta_log/{version:020d}.json")
        metrics = {k: int(v) for k, v in (info.get("operationMetrics") or {}).items() if str(v).isdigit()}
        written = metrics.get("numOutputRows", metrics.get("numTargetRowsInserted", 0)
                              + metrics.get("numTargetRowsUpdated", 0))
        return Commit(path, version, info.get("operation", "UNKNOWN"), written, metrics)

    def _commit_info(self, commit_file: str) -> dict:
        jvm = self.spark.sparkContext._jvm
        hadoop_path = jvm.org.apache.hadoop.fs.Path(commit_file)
        fs = hadoop_path.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration())
        reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(fs.open(hadoop_path), "UTF-8"))
        try:
            line = reader.readLine()
            while line is not None:
                if '"commitInfo"' in line:
                    return json.loads(line)["commitInfo"]
                line = reader.readLine()
        finally:
            reader.close()
        return {}
