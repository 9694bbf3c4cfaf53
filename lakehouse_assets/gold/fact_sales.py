"""gold/fact_sales: one row per silver order line, with dimension keys and USD amounts."""

from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetIn, AssetKey, Output, asset
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE
from lakehouse_assets.partitions import daily_partitions, single_run_backfill
from lakehouse_assets.transforms.fact import FACT_COLUMNS, build_fact_sales_with_flags, fact_sales_counts


@asset(
    key=["gold", "fact_sales"],
    group_name="gold",
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    ins={
        "orders": AssetIn(key=["silver", "orders"]),
        "dim_customer": AssetIn(key=["silver", "dim_customer"], metadata=FULL_TABLE),
        "dim_product": AssetIn(key=["silver", "dim_product"], metadata=FULL_TABLE),
        "dim_store": AssetIn(key=["silver", "dim_store"], metadata=FULL_TABLE),
        "dim_sales_person": AssetIn(key=["silver", "dim_sales_person"], metadata=FULL_TABLE),
        "fx_rates": AssetIn(key=["silver", "fx_rates"], metadata=FULL_TABLE),
    },
    deps=[AssetKey(["silver", "dim_date"])],
    metadata={"partition_expr": "order_date", **column_schema_metadata(["gold", "fact_sales"])},
    description="Sales fact: order lines with the dimension versions valid at order time and USD amounts.",
    kinds={"spark", "delta"},
)
def fact_sales(
    context: AssetExecutionContext, orders: DataFrame, dim_customer: DataFrame, dim_product: DataFrame,
    dim_store: DataFrame, dim_sales_person: DataFrame, fx_rates: DataFrame,
) -> Iterator[Output[DataFrame]]:
    fact = build_fact_sales_with_flags(orders, dim_customer, dim_product, dim_store, dim_sales_person, fx_rates)
    # The lookup counts and the write read the same rows: compute them once.
    fact.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts = fact_sales_counts(fact)
        lookups = {f"lookups/{name}": value for name, value in counts.items()}
        # Yielded, so the IO manager writes before the cache is released.
        yield Output(fact.select(*FACT_COLUMNS), metadata=lookups)
    finally:
        fact.unpersist()
