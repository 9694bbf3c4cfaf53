"""silver/dim_*: the star schema's dimensions, rebuilt incrementally per day.

A daily partition of a dimension means "the entities whose change records landed
that day". Their whole history is rebuilt from `silver/<source>` and merged in,
so only those entities' rows are touched, and the result depends only on the set
of records ingested, never on the order in which days were processed.
"""

from dagster import AssetExecutionContext, AssetIn, AssetsDefinition, asset
from pyspark.sql import DataFrame

from lakehouse_assets.bronze.ingest import PARTITION_COLUMN
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE
from lakehouse_assets.io_managers.tables import window_predicate
from lakehouse_assets.partitions import daily_partitions, days_in, single_run_backfill
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.transforms.dimensions import DIMENSIONS, SCD2, Dimension, date_dimension


def build_dimension_asset(dim: Dimension) -> AssetsDefinition:
    kind = "SCD type 2 (history)" if dim.scd_type == SCD2 else "SCD type 1 (latest)"
    @asset(
        key=["silver", dim.table],
        group_name="silver",
        partitions_def=daily_partitions,
        backfill_policy=single_run_backfill,
        ins={"records": AssetIn(key=["silver", dim.source], metadata=FULL_TABLE)},
        metadata={"write_mode": "upsert_groups", "row_key": dim.sk_col, "group_key": dim.id_col,
                  **column_schema_metadata(["silver", dim.table])},
        description=f"{dim.table}: {kind} of {dim.source}, keyed by {dim.sk_col}.",
        kinds={"spark", "delta"},
    )
    def _dimension(context: AssetExecutionContext, records: DataFrame) -> DataFrame:
        window = context.partition_time_window
        landed = records.where(window_predicate(PARTITION_COLUMN, window.start.date(), window.end.date()))
        affected = landed.select(dim.id_col).distinct()
        history = records.join(affected, on=dim.id_col, how="left_semi")
        return dim.build(history)

    return _dimension


@asset(
    key=["silver", "dim_date"],
    group_name="silver",
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    metadata={"partition_expr": "date", "partition_by": False, **column_schema_metadata(["silver", "dim_date"])},
    description="dim_date: one row per business date processed (date_key yyyymmdd).",
    kinds={"spark", "delta"},
)
def dim_date(context: AssetExecutionContext, spark: SparkResource) -> DataFrame:
    window = context.partition_time_window
    days = spark.session.createDataFrame([(d,) for d in days_in(window.start, window.end)], "date date")
    return date_dimension(days)


dimension_assets = [build_dimension_asset(d) for d in DIMENSIONS.values()] + [dim_date]
