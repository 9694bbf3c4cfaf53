"""Checks of the events tables beyond their contracts: exactly once, consumer lag, row accounting.

- `offsets_exactly_once` (bronze/events): per Kafka partition, bronze holds each offset once
  and no offset between the first and the last is missing (a producer without
  transactions leaves no gaps), so no message was lost or written twice;
- `consumer_lag` (bronze/events, warning): messages the topic holds beyond what bronze has,
  measured when the stream has stopped (messages produced during the run count);
- `row_accounting` (silver/events): for the run's dates, bronze rows = silver rows +
  quarantined rows + duplicates removed, with the quarantine as the stream wrote it.
"""

from __future__ import annotations

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

BRONZE = AssetKey(["bronze", "events"])
SILVER = AssetKey(["silver", "events"])
EXACTLY_ONCE, CONSUMER_LAG, ROW_ACCOUNTING = "offsets_exactly_once", "consumer_lag", "row_accounting"
CROSS_DAY_KEY = "event_id_once_across_days"
MAX_LAG = 0

BRONZE_CHECKS = [
    AssetCheckSpec(EXACTLY_ONCE, asset=BRONZE, description="Per Kafka partition, every offset from the first to "
                   "the last is in bronze exactly once."),
    AssetCheckSpec(CONSUMER_LAG, asset=BRONZE, description="Messages of the topic not in bronze once the stream "
                   "stopped (0 unless messages arrived during the run)."),
]
SILVER_CHECK_DESCRIPTIONS = {
    ROW_ACCOUNTING: "bronze rows = silver rows + quarantined rows + duplicates, for the run's dates.",
    CROSS_DAY_KEY: "No event_id written for the run's dates is in silver/events for another date.",
}


def offsets_exactly_once(bronze: DataFrame) -> AssetCheckResult:
    per_partition = bronze.groupBy("_topic", "_partition").agg(
        F.count(F.lit(1)).alias("rows"), F.count_distinct("_offset").alias("offsets"),
        (F.max("_offset") - F.min("_offset") + 1).alias("span")).collect()
    broken = [f"{r['_topic']}/{r['_partition']}: {r['rows']} rows, {r['offsets']} offsets, span {r['span']}"
              for r in per_partition if not r["rows"] == r["offsets"] == r["span"]]
    rows = sum(r["rows"] for r in per_partition)
    return AssetCheckResult(
        asset_key=BRONZE, check_name=EXACTLY_ONCE, passed=not broken,
        description="; ".join(broken) or f"{rows:,} messages in {len(per_partition)} partition(s), each offset once",
        metadata={"rows": rows, "partitions": len(per_partition)})


def next_offsets(bronze: DataFrame, topic: str) -> dict[int, int]:
    """partition -> the offset after the last one bronze holds."""
    rows = bronze.where(F.col("_topic") == topic).groupBy("_partition").agg(F.max("_offset").alias("last")).collect()
    return {int(r["_partition"]): int(r["last"]) + 1 for r in rows}


def consumer_lag(read_up_to: dict[int, int], marks: dict[int, tuple[int, int]]) -> AssetCheckResult:
    """`read_up_to`: partition -> next offset bronze would need; `marks`: partition -> (low, high)."""
    lag = {p: max(0, high - max(low, read_up_to.get(p, low))) for p, (low, high) in marks.items()}
    total = sum(lag.values())
    return AssetCheckResult(
        asset_key=BRONZE, check_name=CONSUMER_LAG, passed=total <= MAX_LAG, severity=AssetCheckSeverity.WARN,
        description=f"{total:,} message(s) behind the topic's end",
        metadata={"lag": total, "by_partition": MetadataValue.json({str(p): n for p, n in lag.items()})})


def row_accounting(bronze: int, silver: int, quarantined: int, valid: int) -> AssetCheckResult:
    duplicates = valid - silver
    passed = bronze == silver + quarantined + duplicates and duplicates >= 0
    return AssetCheckResult(
        asset_key=SILVER, check_name=ROW_ACCOUNTING, passed=passed,
        description=f"bronze {bronze:,} = silver {silver:,} + quarantined {quarantined:,} + duplicates {duplicates:,}"
        + ("" if passed else " does not hold"),
        metadata={"bronze_rows": bronze, "silver_rows": silver, "quarantined_rows": quarantined,
                  "duplicates_removed": duplicates})


def cross_day_key(repeated: int) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=SILVER, check_name=CROSS_DAY_KEY, passed=repeated == 0,
        description=f"{repeated:,} event_id(s) also in silver/events for another date")
