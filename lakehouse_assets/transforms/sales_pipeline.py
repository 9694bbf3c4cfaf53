"""gold/sales_pipeline_monthly (SPEC §7): the deal pipeline per store and stage at each month's end.

- A deal's state at the end of month M is its latest record with `updated_at` before the
  next month starts; a deal whose state is deleted is not counted.
- amount_usd sums each counted deal's amount converted at the latest rate of its currency
  with rate_date <= M's last day (USD: 1), each conversion rounded HALF_UP to cents; deals
  without an amount or a rate are left out of the sum (null when nothing is left), as SQL does.
- entered_in_month counts the deals that entered the stage during M: a deal's first record,
  or a record whose stage differs from the deal's record just before it, with `updated_at`
  in M (deleted records enter nothing), grouped by that record's store.
A (store, stage) gets a row when it has a counted deal or an entry in the month.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from lakehouse_assets.columns import BIG_MONEY, MONEY, RATE

USD = "USD"
GROUP = ("month", "store_id", "stage")


def months_frame(spark: SparkSession, months: Sequence[date]) -> DataFrame:
    """One row per month: its first day, the next month's first day and its last day."""
    frame = spark.createDataFrame([(m,) for m in months], "month date")
    return frame.select("month", F.add_months("month", 1).alias("next_month"),
                        F.date_sub(F.add_months("month", 1), 1).alias("last_day"))


def month_end_states(deals: DataFrame, months: DataFrame) -> DataFrame:
    """Per month, each deal's latest record before the next month, unless it is deleted."""
    candidates = deals.join(months, deals["updated_at"] < months["next_month"].cast("timestamp"), "inner")
    latest = Window.partitionBy("month", "deal_id").orderBy(F.col("updated_at").desc())
    return (candidates.withColumn("_rank", F.row_number().over(latest))
            .where((F.col("_rank") == 1) & ~F.col("is_deleted")).drop("_rank"))


def with_usd(states: DataFrame, fx_rates: DataFrame) -> DataFrame:
    """`amount_usd` of each state: amount x the latest rate on or before the month's last day."""
    rates = fx_rates.select(F.col("currency").alias("_cur"), F.col("rate_date"), F.col("usd_per_unit").cast(RATE))
    joined = states.join(rates, (states["currency"] == rates["_cur"]) & (rates["rate_date"] <= states["last_day"]),
                         "left")
    newest = Window.partitionBy("month", "deal_id").orderBy(F.col("rate_date").desc_nulls_last())
    picked = joined.withColumn("_rank", F.row_number().over(newest)).where(F.col("_rank") == 1)
    rate = F.when(F.col("currency") == USD, F.lit(1).cast(RATE)).otherwise(F.col("usd_per_unit"))
    return picked.select(*states.columns, F.round(F.col("amount") * rate, 2).cast(MONEY).alias("amount_usd"))


def entries(deals: DataFrame, months: DataFrame) -> DataFrame:
    """(month, store_id, stage, deal_id) of every entry into a stage during a month."""
    by_time = Window.partitionBy("deal_id").orderBy("updated_at")
    changes = deals.withColumn("_previous", F.lag("stage").over(by_time)).where(
        (F.col("_previous").isNull() | (F.col("_previous") != F.col("stage"))) & ~F.col("is_deleted"))
    in_month = changes.join(months, (F.col("updated_at") >= F.col("month").cast("timestamp"))
                            & (F.col("updated_at") < F.col("next_month").cast("timestamp")), "inner")
    return in_month.select("month", "store_id", "stage", "deal_id")


def sales_pipeline_monthly(deals: DataFrame, fx_rates: DataFrame, months: DataFrame) -> DataFrame:
    """The mart's rows for `months` from every silver/crm_deals record and silver/fx_rates."""
    records = deals.select("deal_id", "store_id", "stage", "amount", "currency", "updated_at", "is_deleted")
    states = with_usd(month_end_states(records, months), fx_rates)
    counted = states.groupBy(*GROUP).agg(F.count("*").alias("deals_count"),
                                         F.sum("amount_usd").cast(BIG_MONEY).alias("amount_usd"))
    entered = entries(records, months).groupBy(*GROUP).agg(F.countDistinct("deal_id").alias("entered_in_month"))
    rows = counted.join(entered, list(GROUP), "full_outer")
    return rows.select(
        *GROUP,
        F.coalesce("deals_count", F.lit(0)).cast("long").alias("deals_count"),
        F.col("amount_usd"),
        F.coalesce("entered_in_month", F.lit(0)).cast("long").alias("entered_in_month"),
    )
