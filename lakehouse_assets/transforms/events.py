"""Kafka messages -> bronze/events rows -> SPEC §3 reasons -> silver/events (SPEC §7 events).

Pure DataFrame functions: the stream (`events/stream.py`) calls `bronze_rows` and
`quarantine_rows` on each micro-batch, the silver step calls `silver_events` on bronze.
Both classify a message with the same `classify`, so a row of bronze is in silver, in
quarantine, or a duplicate, and never two of these.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.contracts.events import (
    BRONZE_COLUMNS,
    EVENT_DATE,
    EVENT_FIELDS,
    EVENT_TYPES,
    KAFKA_LINEAGE,
    quarantine_events_contract,
    silver_events_contract,
)

REQUIRED = ("event_id", "event_ts", "session_id", "event_type")
NEEDS_PRODUCT = ("product_view", "add_to_cart", "remove_from_cart")
NEEDS_ORDER = ("purchase",)
# Every field parsed as text: a number or an object in a text field keeps its JSON text,
# so typing is one rule (bad_type) rather than a silent null.
MESSAGE_SCHEMA = T.StructType([T.StructField(name, T.StringType()) for name in EVENT_FIELDS])
PARSED = "__event"
REASON, DETAIL = "reason", "reason_detail"
# Which copy of a re-sent event is kept: the first Kafka received.
FIRST_RECEIVED = ("_kafka_ts", "_topic", "_partition", "_offset")


def bronze_rows(messages: DataFrame, batch_id: int) -> DataFrame:
    """The Kafka source's rows of one micro-batch as bronze rows: text, lineage and event_date."""
    rows = messages.select(
        F.col("key").cast("string").alias("message_key"),
        F.col("value").cast("string").alias("value"),
        F.col("topic").alias("_topic"),
        F.col("partition").cast("int").alias("_partition"),
        F.col("offset").cast("long").alias("_offset"),
        F.col("timestamp").alias("_kafka_ts"),
        F.lit(batch_id).cast("long").alias("_batch_id"),
        F.current_timestamp().alias("_ingested_at"),
    )
    event_ts = F.get_json_object("value", "$.event_ts").cast("timestamp")
    return rows.withColumn(EVENT_DATE, F.coalesce(F.to_date(event_ts), F.to_date("_kafka_ts"))).select(
        *BRONZE_COLUMNS)


def _field(name: str) -> Column:
    return F.col(f"{PARSED}.{name}")


def _missing(name: str) -> Column:
    value = _field(name)
    return value.isNull() | (F.trim(value) == "")


def _first_missing() -> Column:
    """The first required field that is missing or empty, or null."""
    needed = [(name, _missing(name)) for name in REQUIRED]
    needed.append(("product_id", _field("event_type").isin(*NEEDS_PRODUCT) & _missing("product_id")))
    needed.append(("order_id", _field("event_type").isin(*NEEDS_ORDER) & _missing("order_id")))
    return F.coalesce(*[F.when(condition, F.lit(name)) for name, condition in needed])


def _is_object(text: Column) -> Column:
    return F.trim(text).startswith("{") & F.get_json_object(text, "$").isNotNull()


def classify(bronze: DataFrame) -> DataFrame:
    """bronze rows with the parsed message (`__event`) and the first SPEC §3 rule each fails
    (`reason`, `reason_detail`; null for a valid event)."""
    parsed = bronze.withColumn(PARSED, F.from_json("value", MESSAGE_SCHEMA))
    missing = _first_missing()
    properties = _field("properties")
    outcomes = [
        (~_is_object(F.col("value")) | F.col("value").isNull(), "malformed_row", F.lit("not a JSON object")),
        (missing.isNotNull(), "missing_value", missing),
        (_field("event_ts").cast("timestamp").isNull(), "bad_type", F.lit("event_ts")),
        (properties.isNotNull() & ~_is_object(properties), "bad_type", F.lit("properties")),
        (~_field("event_type").isin(*EVENT_TYPES), "out_of_range", F.lit("event_type")),
    ]
    reason, detail = None, None
    for condition, name, why in reversed(outcomes):
        reason = F.when(condition, F.lit(name)) if reason is None else F.when(condition, F.lit(name)).otherwise(reason)
        detail = F.when(condition, why) if detail is None else F.when(condition, why).otherwise(detail)
    return parsed.withColumn(REASON, reason).withColumn(DETAIL, detail)


def quarantine_rows(classified: DataFrame) -> DataFrame:
    """The invalid messages, in quarantine/events' columns."""
    return classified.where(F.col(REASON).isNotNull()).select(*quarantine_events_contract().columns)


def typed_events(classified: DataFrame) -> DataFrame:
    """The valid messages, typed, in silver/events' columns (duplicates still in)."""
    event_ts = _field("event_ts").cast("timestamp")
    return classified.where(F.col(REASON).isNull()).select(
        _field("event_id").alias("event_id"),
        event_ts.alias("event_ts"),
        F.to_date(event_ts).alias(EVENT_DATE),
        _field("session_id").alias("session_id"),
        F.when(~_missing("customer_id"), _field("customer_id")).alias("customer_id"),
        _field("event_type").alias("event_type"),
        F.when(~_missing("product_id"), _field("product_id")).alias("product_id"),
        F.when(~_missing("order_id"), _field("order_id")).alias("order_id"),
        F.coalesce(_field("properties"), F.lit("{}")).alias("properties"),
        *KAFKA_LINEAGE,
    )


def silver_events(window_rows: DataFrame, all_rows: DataFrame) -> DataFrame:
    """silver/events of a window: its valid events, one per event_id across all of bronze.

    `window_rows` are bronze's rows of the window's dates, `all_rows` all of bronze. Of the
    copies of an event_id (a re-sent or late message, whatever its date), the first Kafka
    received is kept, so each event_id is in exactly one date of silver however the days
    are (re)built."""
    window_events = typed_events(classify(window_rows))
    ids = window_events.select("event_id").distinct()
    copies = typed_events(classify(all_rows)).join(ids, on="event_id", how="left_semi")
    order = Window.partitionBy("event_id").orderBy(*[F.col(c).asc() for c in FIRST_RECEIVED])
    winners = (copies.withColumn("__copy", F.row_number().over(order)).where(F.col("__copy") == 1)
               .select("_topic", "_partition", "_offset"))
    kept = window_events.join(winners, on=["_topic", "_partition", "_offset"], how="left_semi")
    return kept.select(*silver_events_contract().columns)
