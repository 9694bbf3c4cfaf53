"""Typed silver rows from validated bronze rows, and the quarantine projection."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.columns import LINEAGE_COLUMNS, PARTITION_COLUMN
from lakehouse_assets.sources import ORDERS, Source
from lakehouse_assets.transforms.validation import MONEY, OUTCOME, QUARANTINE, SILVER, typed

# Lineage carried into silver: enough to trace a row back to its file and run.
SILVER_LINEAGE = ("_source_file", "_file_modified_at", "_ingested_at", "_run_id")
# Where silver tables are partitioned; other sources by landing date.
SILVER_PARTITION = {"orders": "order_date", "fx_rates": "rate_date"}
USD = "USD"


def silver_partition_column(source: Source) -> str:
    return SILVER_PARTITION.get(source.name, PARTITION_COLUMN)


def silver_rows(classified: DataFrame, source: Source) -> DataFrame:
    """The rows that passed every rule, typed, with the source's derived columns.

    The typed values are the ones the rules checked (`classify`'s hidden typed columns),
    not parsed again; the hidden columns themselves are not selected."""
    values = [typed(source, c).alias(c) for c in source.columns]
    frame = classified.where(F.col(OUTCOME) == SILVER).select(
        *values, *SILVER_LINEAGE, PARTITION_COLUMN
    )
    if source.name == "orders":
        return _orders(frame)
    if source.name == "fx_rates":
        return _fx_rates(frame)
    return frame


def _orders(frame: DataFrame) -> DataFrame:
    """An empty discount is 0.00; net_amount = quantity * unit_price - discount_amount."""
    with_discount = frame.withColumn(
        "discount_amount", F.coalesce(F.col("discount_amount"), F.lit(0).cast(MONEY))
    )
    net = F.col("quantity") * F.col("unit_price") - F.col("discount_amount")
    return with_discount.select(
        *ORDERS.columns,
        F.to_date("order_ts").alias("order_date"),
        net.cast(MONEY).alias("net_amount"),
        *SILVER_LINEAGE,
    )


def _fx_rates(frame: DataFrame) -> DataFrame:
    """USD is always 1: a landed USD rate is normalised rather than trusted."""
    rate = F.when(F.col("currency") == USD, F.lit(1).cast("decimal(18,8)")).otherwise(F.col("usd_per_unit"))
    return frame.select("rate_date", "currency", rate.alias("usd_per_unit"), *SILVER_LINEAGE)


def quarantine_rows(classified: DataFrame, source: Source) -> DataFrame:
    """Failed rows as landed (raw text), with lineage and the first failed rule."""
    return classified.where(F.col(OUTCOME) == QUARANTINE).select(
        *source.columns, "reason", "reason_detail", *LINEAGE_COLUMNS
    )
