"""Delta tables addressed by asset key: `[layer, table]` -> `{lakehouse_root}/{layer}/{table}`.

The only code that writes Delta. Three write modes cover every table:
- `replace_window`: replace the rows of a date window (a partition or a backfill
  range) atomically with Delta's `replaceWhere`, so re-materializing is idempotent;
- `overwrite`: replace the whole table (unpartitioned marts);
- `upsert_groups`: one MERGE that replaces every row of the groups (entities)
  present in the output, touching only those entities' files (dimensions).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any

from dagster import AssetKey
from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse_assets.failures import OUTSIDE_WINDOW
from lakehouse_assets.io_managers.delta_rs import open_delta_rs
from lakehouse_assets.resources.landing import is_s3, to_spark_uri
from lakehouse_assets.resources.session_settings import session_settings

DELETE_FLAG = "_delete"
# Delta table properties a layer's tables are created with (here and by the events stream).
# Bronze is read only by date partition, never filtered on a column: the per-file min/max
# of each of its (text and lineage) columns would cost about a fifth of bronze's write
# (docs/performance.md) and skip nothing. Tables created before keep what they were created with.
CREATE_PROPERTIES: dict[str, dict[str, str]] = {
    "bronze": {"delta.dataSkippingNumIndexedCols": "0"},
}
# Parquet writer settings a layer's writes run with (Spark passes session settings to the
# file writer). Bronze's dictionaries (a hash and compare of every value of every text
# column) were about a tenth of its write, and read back only by re-validation; zstd makes
# up the size they saved and more: the 1 GB day's bronze 146 MB, against 175 MB with
# dictionaries and snappy and 426 MB with snappy alone (docs/performance.md).
WRITE_SETTINGS: dict[str, dict[str, str]] = {
    "bronze": {"parquet.enable.dictionary": "false", "spark.sql.parquet.compression.codec": "zstd"},
}
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


def layer_of(key: AssetKey | Sequence[str]) -> str:
    return AssetKey.from_coercible(key).path[0]


def layer_write_settings(spark: SparkSession, layer: str) -> AbstractContextManager[None]:
    """The writes inside run with `layer`'s `WRITE_SETTINGS` on the session."""
    return session_settings(spark, WRITE_SETTINGS.get(layer, {}))


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

    def replace_window(self, frame: DataFrame, key: AssetKey | Sequence[str], column: str,
                       start: date, end: date, partition_by: bool = True) -> Commit:
        """Atomically replace the rows of `[start, end)` in `column`. The write fails if a
        row falls outside the window, so a bug cannot spill into other partitions.

        Delta checks `replaceWhere` only against an existing table. A table's first write
        therefore creates it with the window checked inside the write itself (a row outside
        it fails the Spark job, no extra query), and falls back to `replaceWhere` when a
        concurrent run created the table first."""
        path = self.path(key)
        predicate = window_predicate(column, start, end)
        if not DeltaTable.isDeltaTable(self.spark, path):
            error = F.raise_error(F.lit(f"{OUTSIDE_WINDOW} {AssetKey.from_coercible(key).to_user_string()}: "
                                        f"a row's {column} is not in [{start}, {end})"))
            checked = F.when(F.expr(predicate), F.col(column)).otherwise(error)
            guarded = frame.withColumn(column, checked.alias(column, metadata=frame.schema[column].metadata))
            if self._create(guarded, key, column if partition_by else None):
                return self.last_commit(key)
        writer = frame.write.format("delta").mode("overwrite").option("replaceWhere", predicate)
        if partition_by:
            writer = writer.partitionBy(column)
        with self._writing(key):
            writer.save(path)
        return self.last_commit(key)

    def overwrite(self, frame: DataFrame, key: AssetKey | Sequence[str]) -> Commit:
        with self._writing(key):
            frame.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(self.path(key))
        return self.last_commit(key)

    def upsert_groups(self, frame: DataFrame, key: AssetKey | Sequence[str],
                      row_key: str, group_key: str) -> Commit:
        """Make the table's rows for every `group_key` value in `frame` exactly `frame`'s rows:
        insert new `row_key`s, update existing ones, delete the group's rows no longer present."""
        path = self.path(key)
        if not DeltaTable.isDeltaTable(self.spark, path) and self._create(frame, key):
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
        merge = (
            target.alias("t")
            .merge(changes.alias("s"), f"t.`{row_key}` = s.`{row_key}`")
            .whenMatchedDelete(condition=F.col(f"s.{DELETE_FLAG}"))
            .whenMatchedUpdate(set=values)
            .whenNotMatchedInsert(condition=~F.col(f"s.{DELETE_FLAG}"), values=values)
        )
        with self._writing(key):
            merge.execute()
        return self.last_commit(key)

    def warm(self, keys: Sequence[AssetKey | Sequence[str]]) -> Future:
        """Load the latest snapshot of every existing table among `keys` on a thread of its own.

        Delta reconstructs a table version's state (its files, their size) with Spark jobs the
        first time the version is read or written into in a process. A step that writes into
        existing tables starts this before its measure query, so the state is ready when the
        writes need it instead of being built in front of each of them."""

        def load() -> None:
            for key in keys:
                try:
                    if self.exists(key):
                        DeltaTable.forPath(self.spark, self.path(key)).detail().collect()
                except Exception:  # noqa: BLE001, S112 - only a head start: the write meets and reports the error
                    continue

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="delta-warm")
        try:
            return pool.submit(load)
        finally:
            pool.shutdown(wait=False)

    def _writing(self, key: AssetKey | Sequence[str]) -> AbstractContextManager[None]:
        """Spark writes the files of a table of `key`'s layer inside, with its `WRITE_SETTINGS`."""
        return layer_write_settings(self.spark, layer_of(key))

    def _create(self, frame: DataFrame, key: AssetKey | Sequence[str], partition_column: str | None = None) -> bool:
        """Create the table from `frame` (with its layer's `CREATE_PROPERTIES`); False if a
        concurrent writer created it first (the caller then writes into it as into any
        existing table).

        `errorifexists`, not `overwrite`: a run that found no table must never overwrite
        the rows another run has just committed. Two first writes racing both write their
        files, and Delta commits only one version 0; the other fails with a conflict."""
        path, layer = self.path(key), layer_of(key)
        writer = frame.write.format("delta").mode("errorifexists").options(**CREATE_PROPERTIES.get(layer, {}))
        if partition_column:
            writer = writer.partitionBy(partition_column)
        try:
            with self._writing(key):
                writer.save(path)
        except Exception:  # noqa: BLE001 - AnalysisException (exists) or a commit conflict
            if DeltaTable.isDeltaTable(self.spark, path):
                return False
            raise
        return True

    def last_commit(self, key: AssetKey | Sequence[str]) -> Commit:
        """Version and metrics of the table's latest commit, from its Delta log.

        Locally with delta-rs (no Spark job): it lists the log and reads the newest commit's
        `commitInfo`. On S3 with Delta's public `DeltaTable.history(1)` (one small Spark job):
        delta-rs 1.5's `history()` never sends its S3 list request and times out after 3 min."""
        path = self.path(key)
        if is_s3(path):
            row = DeltaTable.forPath(self.spark, path).history(1) \
                .select("version", "operation", "operationMetrics").collect()[0]
            version, operation, raw = int(row["version"]), row["operation"], row["operationMetrics"] or {}
        else:
            table = open_delta_rs(path, without_files=True)
            info = next(iter(table.history(1)), {})
            version = int(info.get("version", table.version()))
            operation, raw = info.get("operation", "UNKNOWN"), info.get("operationMetrics") or {}
        metrics = {k: int(v) for k, v in raw.items() if str(v).isdigit()}
        # A MERGE's numOutputRows also counts the unchanged rows it copied from the files it
        # rewrote; the rows it wrote are the inserted and updated ones.
        changed = metrics.get("numTargetRowsInserted", 0) + metrics.get("numTargetRowsUpdated", 0)
        written = changed if operation == "MERGE" else metrics.get("numOutputRows", changed)
        return Commit(path, version, operation, written, metrics)
