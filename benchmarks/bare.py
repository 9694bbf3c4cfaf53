"""The reference every ratio is taken against: a bare Spark copy of the orders CSV to Delta.

`spark.read.schema(...).csv(files).write.format("delta")` with the lakehouse's own
session settings and nothing else: no lineage, no validation, no Dagster. It is
the least any CSV-to-Delta ingest of the same files can cost on this machine.
"""

from __future__ import annotations

import time

from pyspark.sql import SparkSession
from pyspark.sql import types as T

from lakehouse_assets.sources import ORDERS


def orders_schema() -> T.StructType:
    """The landed orders columns, all strings, as bronze keeps them."""
    return T.StructType([T.StructField(c, T.StringType()) for c in ORDERS.columns])


def bare_copy(spark: SparkSession, csv_files: list[str], target: str) -> float:
    """Copy `csv_files` into a new Delta table at `target`; return the seconds it took."""
    began = time.perf_counter()
    (
        spark.read.schema(orders_schema()).option("header", "true").csv(csv_files)
        .write.format("delta").mode("overwrite").save(target)
    )
    return time.perf_counter() - began
