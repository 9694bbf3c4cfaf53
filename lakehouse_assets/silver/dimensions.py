"""silver/dim_*: the star schema's dimensions, rebuilt incrementally per day, in one step.

A daily partition of a dimension means "the entities whose change records landed
that day". Their whole history is rebuilt from `silver/<source>` and merged in,
so only those entities' rows are touched, and the result depends only on the set
of records ingested, never on the order in which days were processed. The five
dimensions are small: one step builds them all, measured against their contracts in
one Spark query before each is merged (`checks/audit.py`).
"""

from dagster import AssetExecutionContext, AssetKey, AssetOut, multi_asset
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import Window as SparkWindow
from pyspark.sql import functions as F

from lakehouse_assets.checks.audit import audited_writes, require_tables_of_checks
from lakehouse_assets.checks.targets import specs_of, target
from lakehouse_assets.checks.windows import Window, run_window
from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.dimensions import DIMENSIONS, SCD2, Dimension
from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.partitions import daily_partitions, single_run_backfill
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.transforms.dimensions import build_dimension, date_dimension

DIM_DATE = "dim_date"
_LANDED = "_landed_in_window"
TARGETS = {table: target("silver", table) for table in [*DIMENSIONS, DIM_DATE]}


def _out(dim: Dimension) -> AssetOut:
    kind = "SCD type 2 (history)" if dim.scd_type == SCD2 else "SCD type 1 (latest)"
    return AssetOut(
        key=["silver", dim.table], group_name="silver", is_required=False, kinds={"spark", "delta"},
        metadata={"write_mode": "upsert_groups", "row_key": dim.sk_col, "group_key": dim.id_col,
                  **column_schema_metadata(["silver", dim.table])},
        description=f"{dim.table}: {kind} of {dim.source}, keyed by {dim.sk_col}.",
    )


OUTS = {dim.table: _out(dim) for dim in DIMENSIONS.values()}
OUTS[DIM_DATE] = AssetOut(
    key=["silver", DIM_DATE], group_name="silver", is_required=False, kinds={"spark", "delta"},
    metadata={"partition_expr": "date", "partition_by": False, **column_schema_metadata(["silver", DIM_DATE])},
    description="dim_date: one row per business date processed (date_key yyyymmdd).",
)


def changed_entities(dim: Dimension, records: DataFrame, window: Window) -> DataFrame:
    """The dimension rows of every entity with a change record landed in `window`.

    One read of the records: an entity's records are kept when any of them landed in the
    window (a flag over the entity's records), where a join of the records to the ids
    landed would scan the table twice, and list its files twice, for the same rows."""
    landed = F.max(F.expr(window.predicate(PARTITION_COLUMN)).cast("int")).over(SparkWindow.partitionBy(dim.id_col))
    affected = (records.where(F.col(dim.id_col).isNotNull()).withColumn(_LANDED, landed)
                .where(F.col(_LANDED) == 1).drop(_LANDED))
    return build_dimension(dim, affected)


def dates_of(spark: SparkSession, window: Window) -> DataFrame:
    return date_dimension(spark.createDataFrame([(d,) for d in window.days], "date date"))


@multi_asset(
    name="dimensions",
    outs=OUTS,
    # Read in the step, and only for the dimensions selected: a run of dim_date alone (or of
    # one dimension) needs none (or one) of the sources.
    deps=[AssetKey(["silver", dim.source]) for dim in DIMENSIONS.values()],
    check_specs=specs_of(TARGETS.values()),
    internal_asset_deps={**{dim.table: {AssetKey(["silver", dim.source])} for dim in DIMENSIONS.values()},
                         DIM_DATE: set()},
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    can_subset=True,
    description="The five dimensions of the star schema, each measured before it is merged.",
)
def dimensions(context: AssetExecutionContext, spark: SparkResource):
    require_tables_of_checks(context)
    window = run_window(context)
    tables = DeltaTables(spark.session, spark.settings.lakehouse_root)
    frames = {dim.table: (lambda dim=dim: changed_entities(dim, tables.read(["silver", dim.source]), window))
              for dim in DIMENSIONS.values()}
    frames[DIM_DATE] = lambda: dates_of(spark.session, window)
    selected: dict[str, tuple] = {}
    for table, build in frames.items():
        target_ = TARGETS[table]
        if target_.key not in context.selected_asset_keys:
            continue
        with classified_failures(f"reading the records of {table}", spark.settings.orchestration,
                                 attempt_number(context)):
            selected[table] = (target_, build())
    yield from audited_writes(context, selected, window)
