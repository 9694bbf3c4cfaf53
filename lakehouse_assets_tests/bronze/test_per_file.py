"""Per-file columns reach each line the same way for a few files (a literal lookup) and
for many (a broadcast join)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pyspark.sql import types as T

from lakehouse_assets.bronze.ingest import read_bronze
from lakehouse_assets.bronze.per_file import FILE_PATH, LOOKUP_MAX_FILES, with_file_columns
from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.resources.landing import hash_files, list_landing_files
from lakehouse_assets.sources import FX_RATES

SCHEMA = T.StructType([
    T.StructField(FILE_PATH, T.StringType()), T.StructField("layout", T.IntegerType()),
    T.StructField("header", T.BinaryType()), T.StructField("size", T.LongType()),
    T.StructField("modified_at", T.TimestampType()), T.StructField("landed", T.DateType()),
    T.StructField("error", T.StringType()),
])
ROWS = [
    ("file:/landing/a.csv", 0, b"x,y\xff", 12, datetime(2024, 3, 1, 4, 5, 6, 789000), date(2024, 3, 1), None),
    ("file:/landing/b c.csv", 1, None, 2**40, None, date(2024, 3, 2), "missing column(s) y"),
]


@pytest.mark.parametrize("lookup_max_files", [LOOKUP_MAX_FILES, 0], ids=["literal lookup", "broadcast join"])
def test_each_line_gets_its_files_columns(spark, lookup_max_files):
    lines = spark.createDataFrame([("file:/landing/a.csv", 1), ("file:/landing/b c.csv", 2),
                                   ("file:/landing/a.csv", 3), ("file:/landing/unlisted.csv", 4)],
                                  f"{FILE_PATH} string, n int")
    got = with_file_columns(lines, SCHEMA, ROWS, lookup_max_files)
    assert dict(got.dtypes) == {FILE_PATH: "string", "n": "int", **{f.name: f.dataType.simpleString()
                                                                     for f in SCHEMA.fields[1:]}}
    by_line = {r["n"]: r for r in got.collect()}
    for n, expected in ((1, ROWS[0]), (2, ROWS[1]), (3, ROWS[0])):
        assert tuple(by_line[n][f.name] for f in SCHEMA.fields) == tuple(
            bytearray(v) if isinstance(v, bytes) else v for v in expected)
    assert [by_line[4][f.name] for f in SCHEMA.fields[1:]] == [None] * 6, "a file no row names gets nulls"


def test_no_files_gives_null_columns(spark):
    lines = spark.createDataFrame([("file:/landing/a.csv",)], f"{FILE_PATH} string")
    assert with_file_columns(lines, SCHEMA, []).collect()[0]["layout"] is None


def test_bronze_of_more_files_than_the_lookup_takes(spark, tmp_path):
    """Past LOOKUP_MAX_FILES the files are joined: every line still carries its own file."""
    day = date(2024, 3, 1)
    folder = tmp_path / "fx_rates" / f"date={day}"
    folder.mkdir(parents=True)
    count = LOOKUP_MAX_FILES + 3
    for k in range(count):
        (folder / f"rates_{k:02d}.csv").write_text(f"rate_date,currency,usd_per_unit\n2024-03-01,C{k:02d},{k}.5\n")
    files = list_landing_files(str(tmp_path), FX_RATES.name, (day,))
    rows = read_bronze(spark, FX_RATES, files, hash_files(files), "run-1", datetime.now(UTC)).collect()
    assert sorted((r["currency"], r["_source_file"].rsplit("/", 1)[-1], r[PARTITION_COLUMN]) for r in rows) == [
        (f"C{k:02d}", f"rates_{k:02d}.csv", day) for k in range(count)]
