"""audit/ingested_files: one row per landing file seen, what an operator reads first.

Built on the driver from the step's own figures: the fresh listing of the landing
folders (so files that gave no bronze rows, header only, empty or of an extension
we do not read, are listed too), each file's content hash and bronze lines. No
table is read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from lakehouse_assets.contracts.audit import DUPLICATE_CONTENT, REJECTED
from lakehouse_assets.ingest.figures import FileFigures
from lakehouse_assets.resources.landing import LandingFile, content_hash

INGESTED, EMPTY = "ingested", "no_data_lines"
STATUS = 7  # position of `status` in an inventory row

SCHEMA = T.StructType([
    T.StructField("path", T.StringType(), False),
    T.StructField("source", T.StringType(), False),
    T.StructField("partition_date", T.DateType(), False),
    T.StructField("format", T.StringType()),
    T.StructField("size_bytes", T.LongType(), False),
    T.StructField("content_hash", T.StringType(), False),
    T.StructField("rows", T.LongType(), False),
    T.StructField("status", T.StringType(), False),
    T.StructField("duplicate_of", T.StringType()),
    T.StructField("run_id", T.StringType(), False),
    T.StructField("file_modified_at", T.TimestampType()),
    T.StructField("ingested_at", T.TimestampType(), False),
])


def status_of(landing_file: LandingFile, figures: FileFigures | None) -> str:
    if landing_file.format is None:
        return REJECTED
    if figures is not None and figures.duplicate_of is not None:
        return DUPLICATE_CONTENT
    if figures is None or figures.lines == 0:
        return EMPTY
    return INGESTED


def inventory_rows(files: Iterable[LandingFile], figures: Mapping[str, FileFigures],
                   hashes: Mapping[str, str], run_id: str) -> list[tuple]:
    """One row per listed file. A file bronze gave no lines (or did not read) is hashed here."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for f in files:
        found = figures.get(f.uri)
        digest = hashes.get(f.uri) or (found.file_hash if found else None) or content_hash(f.uri)
        ingested_at = found.ingested_at if found is not None and found.ingested_at is not None else now
        rows.append((f.uri, f.source, f.partition_date, f.format, f.size, digest, found.lines if found else 0,
                     status_of(f, found), found.duplicate_of if found else None, run_id,
                     f.modified_at.replace(tzinfo=None), ingested_at))
    return rows


def inventory_frame(spark: SparkSession, rows: list[tuple]) -> DataFrame:
    return spark.createDataFrame(rows, SCHEMA)
