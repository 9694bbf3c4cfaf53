"""Columns known once per landing file, put on each of the file's lines.

A line knows its file only by Spark's name for it (`_metadata.file_path`). What is known
per file on the driver (its header, its lineage) reaches the lines as a lookup by that
name. For the few files a day has, the lookup is a literal map in the plan: no Spark job
at all, where a broadcast join of a driver-made table costs a job per table (about a
second on a fresh JVM, several per step; docs/performance.md). Past `LOOKUP_MAX_FILES`
a linear search per line would cost more than hashing, so more files are joined as a
broadcast table, as Spark would join them.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

FILE_PATH = "_file_path"
# Measured on 5 million lines (two cores): the literal lookup is faster up to 16 files and
# even with the broadcast join at 64.
LOOKUP_MAX_FILES = 32
_LOOKED_UP = "_per_file"


def qualified_path(spark: SparkSession, path: str) -> str:
    """The name Spark gives a file in `_metadata.file_path` (scheme-qualified, URL-encoded)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    qualified = fs.makeQualified(hadoop_path).toUri().toString()
    # Local files are listed by Spark as `file:/x`, while qualifying gives `file:///x`.
    return "file:/" + qualified[len("file:///"):] if qualified.startswith("file:///") else qualified


def with_file_columns(lines: DataFrame, schema: T.StructType, rows: list[tuple],
                      lookup_max_files: int = LOOKUP_MAX_FILES) -> DataFrame:
    """`lines` plus `schema`'s columns other than FILE_PATH, from the row of `rows` (one per
    file, FILE_PATH first, in `schema`'s order) whose FILE_PATH is the line's; null when no
    row names the line's file (a left join)."""
    if len(rows) > lookup_max_files:
        table = lines.sparkSession.createDataFrame(rows, schema)
        return lines.join(F.broadcast(table), on=FILE_PATH, how="left")
    fields = [f for f in schema.fields if f.name != FILE_PATH]
    if not rows:
        return lines.select("*", *[F.lit(None).cast(f.dataType).alias(f.name) for f in fields])
    per_file = F.create_map(*[
        part for row in rows for part in (
            F.lit(row[0]),
            F.struct(*[F.lit(value).cast(f.dataType).alias(f.name) for value, f in zip(row[1:], fields, strict=True)]),
        )
    ])
    looked_up = lines.select("*", per_file[F.col(FILE_PATH)].alias(_LOOKED_UP))
    return looked_up.select(*[F.col(f"`{c}`") for c in lines.columns],
                            *[F.col(f"{_LOOKED_UP}.`{f.name}`").alias(f.name) for f in fields])
