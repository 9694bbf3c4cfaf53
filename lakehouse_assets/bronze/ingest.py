"""Turn a set of landing files into bronze rows with lineage (SPEC §3, bronze).

Bronze keeps every data line of every file as text. Per-file lineage is looked
up by Spark's own name for the file (`bronze/per_file.py`), not read per file. A
file whose bytes equal an earlier file of the same source and date (a re-delivery
under a new name) is kept too, marked `_duplicate_of`, so silver can count its
lines as duplicates instead of counting them twice. Each file's columns
are inspected first (`bronze/shapes.py`), so lines map to the contract by header name
and columns the contract does not know go to `_extra` or make the lines malformed,
as `schema_drift.new_columns` says.
"""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime
from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.bronze.per_file import FILE_PATH, qualified_path, with_file_columns
from lakehouse_assets.bronze.readers import EXTRA, READERS
from lakehouse_assets.bronze.shapes import REJECT, FileShape, inspect
from lakehouse_assets.columns import PARSE_ERROR, PARTITION_COLUMN, RAW_LINE
from lakehouse_assets.resources.landing import LandingFile
from lakehouse_assets.sources import Source

_FILE_SCHEMA = T.StructType([
    T.StructField(FILE_PATH, T.StringType()),
    T.StructField("_source_file", T.StringType()),
    T.StructField("_source_format", T.StringType()),
    T.StructField("_file_hash", T.StringType()),
    T.StructField("_file_size", T.LongType()),
    T.StructField("_file_modified_at", T.TimestampType()),
    T.StructField("_duplicate_of", T.StringType()),
    T.StructField(PARTITION_COLUMN, T.DateType()),
])


def duplicate_content(files: list[LandingFile], hashes: dict[str, str]) -> dict[str, str]:
    """uri -> uri of the first file (by date, arrival time, name) with the same bytes."""
    first: dict[tuple, str] = {}
    duplicates: dict[str, str] = {}
    for f in sorted(files, key=lambda f: (f.partition_date, f.modified_at, f.uri)):
        key = (f.source, f.partition_date, hashes[f.uri])
        if key in first:
            duplicates[f.uri] = first[key]
        else:
            first[key] = f.uri
    return duplicates


def file_lineage(spark: SparkSession, files: list[LandingFile], hashes: dict[str, str]) -> list[tuple]:
    """One row per file (`_FILE_SCHEMA`): Spark's name for it, then its lineage columns and
    its landing date (the `date=YYYY-MM-DD` folder it was listed in)."""
    duplicates = duplicate_content(files, hashes)
    return [
        (qualified_path(spark, f.spark_path), f.uri, f.format, hashes[f.uri], f.size,
         f.modified_at.replace(tzinfo=None), duplicates.get(f.uri), f.partition_date)
        for f in files
    ]


def inspect_files(spark: SparkSession, source: Source, files: list[LandingFile]) -> dict[str, FileShape]:
    """Each readable file's columns and file-level problems, keyed by its Spark path (driver reads)."""
    return {f.spark_path: inspect(spark, f.spark_path, f.format, source) for f in files if f.format in READERS}


def read_bronze(
    spark: SparkSession,
    source: Source,
    files: list[LandingFile],
    hashes: dict[str, str] | Future[dict[str, str]],
    run_id: str,
    ingested_at: datetime,
    new_columns: str = REJECT,
    shapes: dict[str, FileShape] | None = None,
) -> DataFrame:
    """All data lines of `files` (readable formats only) with their lineage columns.

    `new_columns` is the schema-drift policy for columns the contract does not know;
    `shapes` (from `inspect_files`) saves inspecting the files again. `hashes` may be a
    Future: it is waited for only once the lines are planned, so the files' bytes can be
    hashed while the driver builds the plan."""
    readable = [f for f in files if f.format in READERS]
    shapes = shapes if shapes is not None else inspect_files(spark, source, readable)
    frames = []
    for fmt in sorted({f.format for f in readable}):
        paths = [f.spark_path for f in readable if f.format == fmt]
        frames.append(READERS[fmt](spark, paths, source, new_columns, {p: shapes[p] for p in paths}))
    if not frames:
        frames = [READERS["csv"](spark, [], source)]
    lines = reduce(DataFrame.unionByName, frames).withColumn("_row_seq", F.monotonically_increasing_id())
    if isinstance(hashes, Future):
        hashes = hashes.result()
    joined = with_file_columns(lines, _FILE_SCHEMA, file_lineage(spark, readable, hashes))
    return joined.select(
        *source.columns,
        RAW_LINE, PARSE_ERROR, "_source_file", "_source_format", "_file_hash", "_file_size",
        "_file_modified_at", "_duplicate_of", "_row_seq",
        F.lit(ingested_at.replace(tzinfo=None)).cast("timestamp").alias("_ingested_at"),
        F.lit(run_id).alias("_run_id"),
        # The date folder each file was listed in (once per file, not per line).
        PARTITION_COLUMN,
        EXTRA,
    )
