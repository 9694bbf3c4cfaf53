"""gold tables of the events source (SPEC §7 events): the daily product funnel and monthly engagement."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.columns import BIG_MONEY
from lakehouse_assets.contracts.events import EVENT_DATE, RATE_TYPE

FUNNEL_TYPES = {"product_view": "product_views", "add_to_cart": "add_to_carts", "purchase": "purchases"}


def _count_of(event_type: str):
    return F.count(F.when(F.col("event_type") == event_type, F.lit(1))).cast("long")


def product_funnel_daily(events: DataFrame) -> DataFrame:
    """One row per date and product named by a product_view, add_to_cart or purchase event."""
    named = events.where(F.col("product_id").isNotNull() & F.col("event_type").isin(*FUNNEL_TYPES))
    counts = named.groupBy(F.col(EVENT_DATE).alias("date"), "product_id").agg(
        *[_count_of(event_type).alias(column) for event_type, column in FUNNEL_TYPES.items()])
    rate = F.when(F.col("product_views") > 0,
                  F.round(F.col("purchases") / F.col("product_views"), 4).cast(RATE_TYPE))
    return counts.withColumn("view_to_purchase_rate", rate)


def customer_engagement_monthly(events: DataFrame, fact: DataFrame) -> DataFrame:
    """One row per month and known customer with events: sessions, events, purchases and the
    customer's net USD of the month in gold/fact_sales (0.00 when none)."""
    known = events.where(F.col("customer_id").isNotNull()).withColumn("month", F.trunc(EVENT_DATE, "month"))
    engagement = known.groupBy("month", "customer_id").agg(
        F.count_distinct("session_id").cast("long").alias("sessions"),
        F.count(F.lit(1)).cast("long").alias("events"),
        _count_of("purchase").alias("purchase_events"),
    )
    spend = (fact.withColumn("month", F.trunc("order_date", "month"))
             .groupBy("month", "customer_id").agg(F.sum("net_amount_usd").alias("__net")))
    joined = engagement.join(spend, on=["month", "customer_id"], how="left")
    return joined.select("month", "customer_id", "sessions", "events", "purchase_events",
                         F.coalesce(F.col("__net").cast(BIG_MONEY), F.lit(0).cast(BIG_MONEY)).alias("net_usd"))
