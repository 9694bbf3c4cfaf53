"""Rows per partition of a Delta table, from its transaction log rather than its data.

Every file Delta adds records its partition values and, in its statistics, its
row count; summing those per date gives a table's daily volume history without
scanning it. The log is read with delta-rs (`get_add_actions`), so this starts no
Spark job. A table not partitioned by the column, with files written without
statistics or with deletion vectors is counted with Spark instead (one scan of the
partition column).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pyarrow as pa
from pyspark.sql import SparkSession

from lakehouse_assets.io_managers.delta_rs import open_delta_rs


def _from_log(path: str, column: str) -> dict[date, int] | None:
    """{partition date: rows} from the log's add actions; None if the log cannot say."""
    table = open_delta_rs(path)
    if "deletionVectors" in (table.protocol().reader_features or []):
        return None  # a file's numRecords would still count its deleted rows
    files = pa.table(table.get_add_actions(flatten=True))
    partition = f"partition.{column}"
    if partition not in files.column_names or "num_records" not in files.column_names:
        return None
    rows: dict[date, int] = defaultdict(int)
    for day, records in zip(files.column(partition).to_pylist(), files.column("num_records").to_pylist()):
        if day is None or records is None:
            return None
        rows[date.fromisoformat(day) if isinstance(day, str) else day] += int(records)
    return dict(rows)


def partition_row_counts(spark: SparkSession, path: str, column: str) -> dict[date, int]:
    """{partition date: rows} of a Delta table physically partitioned by the DATE `column`."""
    counts = _from_log(path, column)
    if counts is not None:
        return counts
    counted = spark.read.format("delta").load(path).groupBy(column).count().collect()
    return {r[column]: int(r["count"]) for r in counted if r[column] is not None}
