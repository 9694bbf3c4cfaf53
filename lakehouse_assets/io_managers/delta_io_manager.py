"""The IO manager every asset uses: DataFrames in, Delta tables out, located by asset key.

How an output is written is declared on the asset, so the asset body stays a
transform:
- `partition_expr` (metadata): the DATE column a partitioned asset's run window
  replaces (`partition_by: False` keeps the table physically unpartitioned);
- `write_mode: upsert_groups` with `row_key` and `group_key`: a dimension MERGE;
- otherwise an unpartitioned asset overwrites its table.

An input is loaded for the partitions the run maps to it, unless the input is
declared with `full_table: True` (look-ups such as FX history or a dimension).
"""

from collections.abc import Mapping
from datetime import date

from dagster import (
    AssetKey,
    ConfigurableIOManager,
    InputContext,
    MetadataValue,
    OutputContext,
    ResourceDependency,
    TableColumn,
    TableSchema,
    TimeWindow,
)
from pyspark.sql import DataFrame

from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.io_managers.tables import Commit, DeltaTables
from lakehouse_assets.resources.spark import SparkResource

# Input metadata: load the whole table, not just the partitions the run maps to it.
FULL_TABLE = {"full_table": True}


def column_schema(frame: DataFrame) -> TableSchema:
    return TableSchema(columns=[
        TableColumn(name=f.name, type=f.dataType.simpleString()) for f in frame.schema.fields
    ])


def commit_metadata(commit: Commit) -> dict:
    return {
        "dagster/row_count": commit.rows_written,
        "delta_version": commit.version,
        "delta_operation": commit.operation,
        "path": MetadataValue.path(commit.path),
    }


class DeltaIOManager(ConfigurableIOManager):
    """Delta tables at `{lakehouse_root}/{layer}/{table}`, local or s3://."""

    spark: ResourceDependency[SparkResource]

    def tables(self) -> DeltaTables:
        return DeltaTables(self.spark.session, self.spark.settings.lakehouse_root)

    def handle_output(self, context: OutputContext, obj: DataFrame | None) -> None:
        # Spark is lazy: most of a step's work, and its S3 traffic, happens in this write.
        # Transient errors are retried, data errors fail at once (lakehouse_assets/failures.py).
        # None: nothing to write, or the step wrote the table itself (io_managers/step_writes.py).
        if obj is None:
            return
        what = f"writing {'/'.join(context.asset_key.path)}"
        window = dates_of(context.asset_partitions_time_window) if context.has_asset_partitions else None
        with classified_failures(what, self.spark.settings.orchestration, attempt_number(context)):
            context.add_output_metadata(
                write_table(self.tables(), context.asset_key, context.definition_metadata or {}, obj, window))

    def load_input(self, context: InputContext) -> DataFrame:
        what = f"reading {'/'.join(context.asset_key.path)}"
        with classified_failures(what, self.spark.settings.orchestration, attempt_number(context)):
            return self._read(context)

    def _read(self, context: InputContext) -> DataFrame:
        tables = self.tables()
        key = context.asset_key
        if (context.definition_metadata or {}).get("full_table") or not context.has_asset_partitions:
            return tables.read(key)
        upstream = context.upstream_output.definition_metadata if context.upstream_output else {}
        start, end = dates_of(context.asset_partitions_time_window)
        return tables.read(key, upstream["partition_expr"], start, end)


def dates_of(window: TimeWindow) -> tuple[date, date]:
    """A run's partition window as dates, end exclusive."""
    return window.start.date(), window.end.date()


def write_table(tables: DeltaTables, key: AssetKey, meta: Mapping, obj: DataFrame,
                window: tuple[date, date] | None) -> dict:
    """Write `obj` to `key`'s table the way its asset declares (`meta`: the output's definition
    metadata; `window`: the run's dates, end exclusive, for a partitioned asset) and return
    the materialization's metadata."""
    extra: dict = {}
    if meta.get("write_mode") == "upsert_groups":
        commit = tables.upsert_groups(obj, key, meta["row_key"], meta["group_key"])
    elif window is not None:
        start, end = window
        partition_by = bool(meta.get("partition_by", True))
        commit = tables.replace_window(obj, key, meta["partition_expr"], start, end, partition_by)
        extra["window"] = f"{start.isoformat()} .. {end.isoformat()} (end exclusive)"
    else:
        commit = tables.overwrite(obj, key)
    if "dagster/column_schema" not in meta:
        # An asset with a contract shows the contract's schema (descriptions, checks);
        # the written schema is only the fallback.
        extra["dagster/column_schema"] = column_schema(obj)
    return {**commit_metadata(commit), **extra}
