"""Read landing files into bronze rows: every data line as text, nothing padded or dropped.

Each reader returns the source's columns as strings plus `_raw_line` and
`_parse_error`, which are null for a line that parsed into exactly the source's
columns and otherwise hold the line as landed and why it could not be split.
`_file_path` is Spark's name for the file, used to attach per-file lineage.

Records are lines: a blank line is not a data line, and a line break inside a
quoted CSV field ends the record (both halves are then malformed). This keeps
`landed data lines = bronze rows` checkable with `wc -l`, and every file splittable.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.sources import Source

RAW_LINE = "_raw_line"
PARSE_ERROR = "_parse_error"
FILE_PATH = "_file_path"
JSON_MAP = T.MapType(T.StringType(), T.StringType())


def _string_schema(source: Source, *extra: str) -> T.StructType:
    return T.StructType([T.StructField(c, T.StringType()) for c in (*source.columns, *extra)])


def _empty(spark: SparkSession, source: Source) -> DataFrame:
    return spark.createDataFrame([], _string_schema(source, RAW_LINE, PARSE_ERROR, FILE_PATH))


def read_csv(spark: SparkSession, paths: list[str], source: Source) -> DataFrame:
    """CSV and CSV.gz (RFC 4180: comma, double quotes, `""` escapes a quote, header row).

    Spark's PERMISSIVE mode puts any line whose field count differs from the schema
    into `_raw_line`, which is how a short or long line is caught, not padded.
    """
    if not paths:
        return _empty(spark, source)
    frame = (
        spark.read.schema(_string_schema(source, RAW_LINE))
        .option("header", "true")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", RAW_LINE)
        .option("multiLine", "false")
        .option("quote", '"')
        .option("escape", '"')
        .option("encoding", "UTF-8")
        .option("enforceSchema", "true")
        .csv(paths)
    )
    error = F.when(
        F.col(RAW_LINE).isNotNull(),
        F.lit(f"expected {len(source.columns)} comma-separated fields"),
    )
    return frame.select(*source.columns, RAW_LINE, error.alias(PARSE_ERROR),
                        F.col("_metadata.file_path").alias(FILE_PATH))


def read_jsonl(spark: SparkSession, paths: list[str], source: Source) -> DataFrame:
    """JSON Lines: one object per line whose keys are exactly the source's columns."""
    if not paths:
        return _empty(spark, source)
    lines = spark.read.text(paths).select(
        F.col("value").alias(RAW_LINE), F.col("_metadata.file_path").alias(FILE_PATH)
    ).where(F.trim(F.col(RAW_LINE)) != "")
    parsed = lines.withColumn("_json", F.from_json(RAW_LINE, JSON_MAP))
    expected = F.array(*[F.lit(c) for c in sorted(source.columns)])
    keys = F.array_sort(F.map_keys("_json"))
    error = (
        F.when(F.col("_json").isNull(), F.lit("not a JSON object"))
        .when(keys != expected, F.concat(
            F.lit(f"expected keys {','.join(source.columns)}; got "),
            F.array_join(F.map_keys("_json"), ",")))
    )
    ok = error.isNull()
    return parsed.select(
        *[F.when(ok, F.col("_json")[c]).alias(c) for c in source.columns],
        F.when(~ok, F.col(RAW_LINE)).alias(RAW_LINE),
        error.alias(PARSE_ERROR),
        FILE_PATH,
    )


def read_parquet(spark: SparkSession, paths: list[str], source: Source) -> DataFrame:
    """Parquet with all columns strings. A file with other columns is malformed as a whole:
    each of its rows is kept, serialised to JSON, with the reason."""
    frames = [_read_one_parquet(spark, path, source) for path in paths]
    return reduce(DataFrame.unionByName, frames) if frames else _empty(spark, source)


def _read_one_parquet(spark: SparkSession, path: str, source: Source) -> DataFrame:
    frame = spark.read.parquet(path)
    file_path = F.col("_metadata.file_path").alias(FILE_PATH)
    if list(frame.columns) == list(source.columns):
        return frame.select(*[F.col(c).cast("string") for c in source.columns],
                            F.lit(None).cast("string").alias(RAW_LINE),
                            F.lit(None).cast("string").alias(PARSE_ERROR), file_path)
    detail = f"expected columns {','.join(source.columns)}; got {','.join(frame.columns)}"
    return frame.select(*[F.lit(None).cast("string").alias(c) for c in source.columns],
                        F.to_json(F.struct(*frame.columns)).alias(RAW_LINE),
                        F.lit(detail).alias(PARSE_ERROR), file_path)


READERS = {"csv": read_csv, "jsonl": read_jsonl, "parquet": read_parquet}
