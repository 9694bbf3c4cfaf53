"""Hand-made bronze rows for transform tests: lineage filled with defaults."""

from __future__ import annotations

from datetime import date, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from lakehouse_assets.columns import LINEAGE_COLUMNS, PARTITION_COLUMN
from lakehouse_assets.sources import Source

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
