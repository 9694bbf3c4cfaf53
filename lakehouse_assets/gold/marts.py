"""gold marts: monthly partitions mapped from the daily fact, and customer lifetime value.

Each monthly partition is a pure function of its month's fact rows (the IO manager
loads exactly the days of the month), so a late day or a re-run gives the same
answer as a fresh build.
"""

from dagster import AssetExecutionContext, AssetIn, asset
from pyspark.sql import DataFrame

from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE
from lakehouse_assets.partitions import monthly_partitions, single_run_backfill
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.transforms import marts

FACT = AssetIn(key=["gold", "fact_sales"])
MONTHLY = {
    "group_name": "gold",
    "partitions_def": monthly_partitions,
    "backfill_policy": single_run_backfill,
    "metadata": {"partition_expr": "month"},
    "kinds": {"spark", "delta"},
}


def monthly(table: str) -> dict:
    """MONTHLY plus the table's contract as its column schema."""
    return {**MONTHLY, "metadata": {**MONTHLY["metadata"], **column_schema_metadata(["gold", table])}}


@asset(key=["gold", "customer_monthly_sales"], ins={"fact": FACT}, **monthly("customer_monthly_sales"),
       description="Coupon mart: monthly orders, units and USD spend per customer.")
def customer_monthly_sales(fact: DataFrame) -> DataFrame:
    return marts.customer_monthly_sales(fact)


@asset(key=["gold", "sales_team_monthly"], ins={"fact": FACT}, **monthly("sales_team_monthly"),
       description="Monthly sales per sales person and store, rank in store, top performer's incentive.")
def sales_team_monthly(spark: SparkResource, fact: DataFrame) -> DataFrame:
    return marts.sales_team_monthly(fact, spark.settings.incentive_rate)


@asset(key=["gold", "category_monthly_revenue"],
       ins={"fact": FACT, "dim_product": AssetIn(key=["silver", "dim_product"], metadata=FULL_TABLE)},
       **monthly("category_monthly_revenue"), description="Monthly USD revenue, units, orders and customers per product category.")
def category_monthly_revenue(fact: DataFrame, dim_product: DataFrame) -> DataFrame:
    return marts.category_monthly_revenue(fact, dim_product)


@asset(key=["gold", "customer_lifetime_value"], group_name="gold", kinds={"spark", "delta"},
       metadata=column_schema_metadata(["gold", "customer_lifetime_value"]),
       ins={"fact": AssetIn(key=["gold", "fact_sales"], metadata=FULL_TABLE)},
       description="Lifetime USD spend, order count, average order value and segment per customer.")
def customer_lifetime_value(context: AssetExecutionContext, fact: DataFrame) -> DataFrame:
    return marts.customer_lifetime_value(fact)


monthly_mart_assets = [customer_monthly_sales, sales_team_monthly, category_monthly_revenue]
unpartitioned_assets = [customer_lifetime_value]
