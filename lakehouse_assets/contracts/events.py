"""Contracts of the events source (SPEC §7 events): silver/events, quarantine/events and its two gold tables.

bronze/events has no contract of its own: it is every message as it came, written by the
stream (`events/stream.py`), and its columns are listed here so that both the stream and
the catalogue name them once.
"""

from __future__ import annotations

from pandera.pyspark import Check, DataFrameSchema
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.columns import BIG_MONEY
from lakehouse_assets.contracts.base import contract, field, row_rule

TOPIC = "retail.events"
EVENT_DATE = "event_date"
EVENT_TYPES = ("page_view", "product_view", "add_to_cart", "remove_from_cart", "checkout", "purchase")
# SPEC §3 reasons that apply to a message (no folder date, no currency).
EVENT_REASONS = ("malformed_row", "missing_value", "bad_type", "out_of_range")
RATE_TYPE = T.DecimalType(10, 4)

# Lineage of a message: where it was in the topic, when Kafka stamped it, when it was read.
KAFKA_LINEAGE = {
    "_topic": (T.StringType(), "Kafka topic the message was read from."),
    "_partition": (T.IntegerType(), "Kafka partition of the message."),
    "_offset": (T.LongType(), "Offset of the message in its partition: (_topic, _partition, _offset) is unique."),
    "_kafka_ts": (T.TimestampType(), "Timestamp Kafka stored with the message (UTC)."),
    "_batch_id": (T.LongType(), "Micro-batch of the stream that wrote the row (its Delta txnVersion)."),
    "_ingested_at": (T.TimestampType(), "When the stream wrote the row."),
}
MESSAGE_COLUMNS = {
    "message_key": (T.StringType(), "The message key, as text (null when none)."),
    "value": (T.StringType(), "The message value as UTF-8 text, exactly as produced."),
}
EVENT_DATE_DESCRIPTION = ("Date (UTC) of event_ts; of _kafka_ts when event_ts is missing or not a timestamp. "
                          "The partition column.")
BRONZE_COLUMNS = (*MESSAGE_COLUMNS, *KAFKA_LINEAGE, EVENT_DATE)

EVENT_FIELDS = {
    "event_id": "Identifies an event: a re-sent message repeats it.",
    "event_ts": "When the event happened (UTC).",
    "session_id": "Web or app session.",
    "customer_id": "POS customer; null when the visitor is anonymous.",
    "event_type": "One of " + ", ".join(EVENT_TYPES) + ".",
    "product_id": "Product the event names (required for product_view, add_to_cart, remove_from_cart).",
    "order_id": "Order of a purchase event (required for purchase).",
    "properties": "Free-form properties object, as JSON text ({} when absent).",
}


def _lineage() -> dict:
    return {name: field(dtype, description, nullable=False) for name, (dtype, description) in KAFKA_LINEAGE.items()}


def silver_events_contract() -> DataFrameSchema:
    columns = {
        "event_id": field(T.StringType(), EVENT_FIELDS["event_id"], False),
        "event_ts": field(T.TimestampType(), EVENT_FIELDS["event_ts"], False),
        EVENT_DATE: field(T.DateType(), "Date (UTC) of event_ts; the partition column.", False),
        "session_id": field(T.StringType(), EVENT_FIELDS["session_id"], False),
        "customer_id": field(T.StringType(), EVENT_FIELDS["customer_id"]),
        "event_type": field(T.StringType(), EVENT_FIELDS["event_type"], False, [Check.isin(list(EVENT_TYPES))]),
        "product_id": field(T.StringType(), EVENT_FIELDS["product_id"]),
        "order_id": field(T.StringType(), EVENT_FIELDS["order_id"]),
        "properties": field(T.StringType(), EVENT_FIELDS["properties"], False),
        **_lineage(),
    }
    rules = [
        row_rule("event_date_of_event_ts", "event_date is the date of event_ts", (EVENT_DATE,),
                 lambda: F.col(EVENT_DATE) != F.to_date("event_ts")),
        row_rule("purchase_has_order", "a purchase names its order", ("order_id",),
                 lambda: (F.col("event_type") == "purchase") & F.col("order_id").isNull()),
    ]
    return contract("silver/events", "Valid, typed behaviour events, one row per event_id across all days.",
                    columns, unique=["event_id"], rules=rules, window_column=EVENT_DATE)


def quarantine_events_contract() -> DataFrameSchema:
    columns = {name: field(dtype, description) for name, (dtype, description) in MESSAGE_COLUMNS.items()}
    columns["reason"] = field(T.StringType(), "First SPEC §3 rule the message failed.", nullable=False,
                              checks=[Check.isin(list(EVENT_REASONS))])
    columns["reason_detail"] = field(T.StringType(), "The failing field, or what was wrong with the message.",
                                     nullable=False)
    columns.update(_lineage())
    columns[EVENT_DATE] = field(T.DateType(), EVENT_DATE_DESCRIPTION, False)
    return contract("quarantine/events", "Messages of retail.events that are not a valid event, as produced.",
                    columns, unique=["_topic", "_partition", "_offset"], window_column=EVENT_DATE)


def _count(description: str):
    return field(T.LongType(), description, nullable=False, checks=[Check.ge(0)])


def product_funnel_daily_contract() -> DataFrameSchema:
    columns = {
        "date": field(T.DateType(), "Date (UTC) of the events.", False),
        "product_id": field(T.StringType(), "Product the events name.", False),
        "product_views": _count("product_view events naming the product that day."),
        "add_to_carts": _count("add_to_cart events naming the product that day."),
        "purchases": _count("purchase events naming the product that day."),
        "view_to_purchase_rate": field(RATE_TYPE, "round(purchases / product_views, 4); null without views.",
                                       checks=[Check.ge(0)]),
    }
    rules = [row_rule("rate_formula", "view_to_purchase_rate = round(purchases / product_views, 4)",
                      ("view_to_purchase_rate",),
                      lambda: ~F.col("view_to_purchase_rate").eqNullSafe(
                          F.when(F.col("product_views") > 0,
                                 F.round(F.col("purchases") / F.col("product_views"), 4).cast(RATE_TYPE))))]
    return contract("gold/product_funnel_daily", "Daily product views, add-to-carts and purchases per product.",
                    columns, unique=["date", "product_id"], rules=rules, window_column="date")


def customer_engagement_monthly_contract() -> DataFrameSchema:
    columns = {
        "month": field(T.DateType(), "First day of the month.", False),
        "customer_id": field(T.StringType(), "Customer (anonymous visitors' events are left out).", False),
        "sessions": _count("Distinct session_id of the customer's events in the month."),
        "events": _count("The customer's events in the month."),
        "purchase_events": _count("The customer's purchase events in the month."),
        "net_usd": field(BIG_MONEY, "Sum of the customer's net_amount_usd in gold/fact_sales for the month; "
                         "0.00 when none.", False),
    }
    rules = [row_rule("sessions_within_events", "sessions <= events", ("sessions",),
                      lambda: F.col("sessions") > F.col("events"))]
    return contract("gold/customer_engagement_monthly", "Monthly sessions, events, purchases and net USD per customer.",
                    columns, unique=["month", "customer_id"], rules=rules, window_column="month")


EVENT_CONTRACTS = {
    ("silver", "events"): silver_events_contract(),
    ("quarantine", "events"): quarantine_events_contract(),
    ("gold", "product_funnel_daily"): product_funnel_daily_contract(),
    ("gold", "customer_engagement_monthly"): customer_engagement_monthly_contract(),
}
