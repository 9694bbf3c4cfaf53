"""The gold marts (SPEC §4), each a pure function of fact rows.

The caller restricts the fact to the month(s) being built (the lifetime mart takes
all of it). Marts group by the natural ids carried in the fact, so orders of
unknown customers, products or sales people are counted too; null USD amounts are
left out of sums, as SQL does.
"""

from __future__ import annotations

from decimal import Decimal

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from lakehouse_assets.columns import BIG_MONEY, MONEY
from lakehouse_assets.transforms.keys import UNKNOWN_KEY

MONEY_SCALE = 2
ZERO_MONEY = Decimal("0.00")
DEFAULT_INCENTIVE_RATE = Decimal("0.01")
UNKNOWN_CATEGORY = "UNKNOWN"
MONTH_UNIT = "month"

# Lifetime segments, highest first: (spend strictly above, segment).
SEGMENTS = (
    (Decimal("10000"), "VIP"),
    (Decimal("5000"), "High Value"),
    (Decimal("1000"), "Medium Value"),
)
DEFAULT_SEGMENT = "Low Value"


def _month(date_col: str = "order_date") -> Column:
    """The DATE of the first day of the order's month (the marts' `month`)."""
    return F.trunc(F.col(date_col), MONTH_UNIT).alias("month")


def _orders_count() -> Column:
    return F.count_distinct("order_id").cast("bigint").alias("orders_count")


def _units() -> Column:
    return F.sum("quantity").cast("bigint").alias("units")


def customer_monthly_sales(fact: DataFrame) -> DataFrame:
    """Monthly spend per customer (coupons): month, customer_id, orders_count,
    units, total_net_usd decimal(16,2), first_order_ts, last_order_ts."""
    monthly = fact.groupBy(_month(), F.col("customer_id")).agg(
        _orders_count(),
        _units(),
        F.sum("net_amount_usd").alias("total_net_usd"),
        F.min("order_ts").alias("first_order_ts"),
        F.max("order_ts").alias("last_order_ts"),
    )
    return monthly.select(
        F.col("month").cast("date").alias("month"),
        F.col("customer_id").cast("string").alias("customer_id"),
        "orders_count",
        "units",
        F.col("total_net_usd").cast(BIG_MONEY).alias("total_net_usd"),
        F.col("first_order_ts").cast("timestamp").alias("first_order_ts"),
        F.col("last_order_ts").cast("timestamp").alias("last_order_ts"),
    )


def sales_team_monthly(fact: DataFrame, incentive_rate: Decimal = DEFAULT_INCENTIVE_RATE) -> DataFrame:
    """Monthly sales per sales person within the order's store, ranked, with the
    incentive of the store's top performer.

    Output: month, store_id, sales_person_id, orders_count, total_net_usd
    decimal(14,2), rank_in_store int (1 = highest total, nulls last, ties to the lower
    sales_person_id), is_top_performer, incentive_usd decimal(14,2) =
    round(total_net_usd * incentive_rate, 2) for rank 1 (0.00 if its total is null),
    else 0.00.
    """
    rate = F.lit(Decimal(str(incentive_rate)))
    monthly = fact.groupBy(_month(), F.col("store_id"), F.col("sales_person_id")).agg(
        _orders_count(),
        F.sum("net_amount_usd").cast(MONEY).alias("total_net_usd"),
    )
    in_store = Window.partitionBy("month", "store_id").orderBy(
        F.col("total_net_usd").desc_nulls_last(), F.col("sales_person_id").asc_nulls_last()
    )
    ranked = monthly.withColumn("rank_in_store", F.row_number().over(in_store))
    is_top = F.col("rank_in_store") == 1
    incentive = F.when(
        is_top, F.coalesce(F.round(F.col("total_net_usd") * rate, MONEY_SCALE), F.lit(ZERO_MONEY))
    ).otherwise(F.lit(ZERO_MONEY))
    return ranked.select(
        F.col("month").cast("date").alias("month"),
        F.col("store_id").cast("string").alias("store_id"),
        F.col("sales_person_id").cast("string").alias("sales_person_id"),
        "orders_count",
        "total_net_usd",
        F.col("rank_in_store").cast("int").alias("rank_in_store"),
        is_top.alias("is_top_performer"),
        incentive.cast(MONEY).alias("incentive_usd"),
    )


def category_monthly_revenue(fact: DataFrame, dim_product: DataFrame) -> DataFrame:
    """Monthly revenue per product category: the category of the product version the
    fact row points at (`UNKNOWN` for product_sk -1, or a key not in dim_product).

    Output: month, category, revenue_usd decimal(14,2), units, orders_count,
    unique_customers.
    """
    categories = dim_product.select(
        F.col("product_sk").alias("_category_sk"), F.col("category").alias("_category")
    )
    known = F.col("product_sk") != UNKNOWN_KEY
    with_category = fact.join(
        categories, on=known & (F.col("product_sk") == F.col("_category_sk")), how="left"
    ).withColumn("category", F.coalesce(F.col("_category"), F.lit(UNKNOWN_CATEGORY)))
    monthly = with_category.groupBy(_month(), F.col("category")).agg(
        F.sum("net_amount_usd").alias("revenue_usd"),
        _units(),
        _orders_count(),
        F.count_distinct("customer_id").cast("bigint").alias("unique_customers"),
    )
    return monthly.select(
        F.col("month").cast("date").alias("month"),
        F.col("category").cast("string").alias("category"),
        F.col("revenue_usd").cast(MONEY).alias("revenue_usd"),
        "units",
        "orders_count",
        "unique_customers",
    )


def _segment(total_spent: Column) -> Column:
    """The lifetime segment of a spend (null spend is `Low Value`)."""
    segment = F.lit(DEFAULT_SEGMENT)
    for threshold, name in reversed(SEGMENTS):
        segment = F.when(total_spent > F.lit(threshold), F.lit(name)).otherwise(segment)
    return segment


def customer_lifetime_value(fact: DataFrame) -> DataFrame:
    """Lifetime value per customer over all fact rows: customer_id, total_spent_usd
    decimal(16,2), orders_count, avg_order_value_usd decimal(14,2), first_order_date,
    last_order_date, segment (VIP > 10000, High Value > 5000, Medium Value > 1000,
    else Low Value)."""
    lifetime = fact.groupBy(F.col("customer_id")).agg(
        F.sum("net_amount_usd").cast(BIG_MONEY).alias("total_spent_usd"),
        _orders_count(),
        F.min("order_date").alias("first_order_date"),
        F.max("order_date").alias("last_order_date"),
    )
    average = F.round(F.col("total_spent_usd") / F.col("orders_count"), MONEY_SCALE)
    return lifetime.select(
        F.col("customer_id").cast("string").alias("customer_id"),
        "total_spent_usd",
        "orders_count",
        average.cast(MONEY).alias("avg_order_value_usd"),
        F.col("first_order_date").cast("date").alias("first_order_date"),
        F.col("last_order_date").cast("date").alias("last_order_date"),
        _segment(F.col("total_spent_usd")).alias("segment"),
    )
