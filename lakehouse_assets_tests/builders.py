"""Hand-made bronze rows for transform tests: lineage filled with defaults.

File sources: `bronze_frame` (bronze rows as the ingest step reads them). The sources read
where they live go through their own bronze transforms: `crm_bronze_frame` from rows as JDBC
returns them, `events_bronze_frame` from messages as the Kafka source returns them.
"""

from __future__ import annotations

from datetime import date, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from lakehouse_assets.columns import LINEAGE_COLUMNS, PARTITION_COLUMN
from lakehouse_assets.sources import Source
from lakehouse_assets.transforms import crm as crm_rows
from lakehouse_assets.transforms import events as event_rows

_LINEAGE_TYPES = {
    "_file_size": T.LongType(), "_row_seq": T.LongType(), "_file_modified_at": T.TimestampType(),
    "_ingested_at": T.TimestampType(), PARTITION_COLUMN: T.DateType(),
}
DEFAULT_DAY = date(2024, 3, 1)


def bronze_schema(source: Source) -> T.StructType:
    return T.StructType(
        [T.StructField(c, T.StringType()) for c in source.columns]
        + [T.StructField(c, _LINEAGE_TYPES.get(c, T.StringType())) for c in LINEAGE_COLUMNS]
    )


def bronze_frame(spark: SparkSession, source: Source, rows: list[dict], day: date = DEFAULT_DAY) -> DataFrame:
    """Bronze rows from dicts of source columns; `_`-keys override lineage defaults."""
    records = []
    for seq, row in enumerate(rows):
        lineage = {
            "_raw_line": None, "_parse_error": None, "_source_file": "/landing/f.csv",
            "_source_format": "csv", "_file_hash": "h", "_file_size": 1,
            "_file_modified_at": datetime(2024, 3, 2), "_duplicate_of": None, "_row_seq": seq,
            "_ingested_at": datetime(2024, 3, 2, 1), "_run_id": "run", PARTITION_COLUMN: day,
        }
        lineage.update({k: v for k, v in row.items() if k.startswith("_")})
        records.append(tuple(row.get(c) for c in source.columns) + tuple(lineage[c] for c in LINEAGE_COLUMNS))
    return spark.createDataFrame(records, bronze_schema(source))


def valid_order(**overrides: str) -> dict:
    row = {
        "order_id": "O1", "line_number": "1", "order_ts": "2024-03-01 10:00:00",
        "customer_id": "C1", "store_id": "S1", "sales_person_id": "P1", "product_id": "PR1",
        "quantity": "2", "unit_price": "10.00", "discount_amount": "1.00", "currency": "EUR",
        "payment_method": "card",
    }
    row.update(overrides)
    return row


# The types PostgreSQL's JDBC driver gives the CRM columns; the others are text.
_CRM_JDBC_TYPES = {
    "created_at": T.TimestampType(), "updated_at": T.TimestampType(), "is_deleted": T.BooleanType(),
    "amount": T.DecimalType(14, 2), "expected_close_date": T.DateType(),
}


def crm_bronze_frame(spark: SparkSession, source: Source, rows: list[dict]) -> DataFrame:
    """bronze/<crm table> rows from dicts of the CRM table's columns, as an extraction writes them."""
    schema = T.StructType([T.StructField(c, _CRM_JDBC_TYPES.get(c, T.StringType())) for c in source.columns])
    jdbc = spark.createDataFrame([tuple(row.get(c) for c in source.columns) for row in rows], schema)
    return crm_rows.bronze_rows(jdbc, source, "2024-03-02 01:00:00", "run", "incremental")


_KAFKA_SCHEMA = T.StructType([
    T.StructField("key", T.BinaryType()), T.StructField("value", T.BinaryType()),
    T.StructField("topic", T.StringType()), T.StructField("partition", T.IntegerType()),
    T.StructField("offset", T.LongType()), T.StructField("timestamp", T.TimestampType()),
])


def events_bronze_frame(spark: SparkSession, values: list[str], topic: str = "retail.events") -> DataFrame:
    """bronze/events rows of one micro-batch from message values (JSON text), at offsets 0, 1, ..."""
    messages = [(None, v.encode(), topic, 0, offset, datetime(2024, 3, 1, 12)) for offset, v in enumerate(values)]
    return event_rows.bronze_rows(spark.createDataFrame(messages, _KAFKA_SCHEMA), batch_id=0)
