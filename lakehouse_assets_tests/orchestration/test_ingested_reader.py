"""The Spark-free Delta reader the sensor uses sees exactly what Spark sees: after
overwrites, appends and a checkpoint (written every 2 commits here)."""

from __future__ import annotations

from datetime import date

import pytest

from lakehouse_assets.orchestration.ingested import active_files, ingested_content, read_rows

pytestmark = pytest.mark.slow  # writes a Delta table past a checkpoint

CHECKPOINT_EVERY = "spark.databricks.delta.properties.defaults.checkpointInterval"
SCHEMA = "path string, source string, partition_date date, content_hash string"


def test_reader_matches_spark_across_a_checkpoint(spark, tmp_path):
    table = tmp_path / "audit" / "ingested_files"
    assert active_files(str(table)) is None and read_rows(str(table), ["path"]) == []
    spark.conf.set(CHECKPOINT_EVERY, "2")  # a checkpoint at version 2 instead of 10
    try:
        for version in range(5):
            rows = [(f"/l/orders/date=2024-03-0{1 + version % 2}/f{version}.csv", "orders",
                     date(2024, 3, 1 + version % 2), f"hash{version}")]
            mode = "overwrite" if version in (0, 3) else "append"
            spark.createDataFrame(rows, SCHEMA).write.format("delta").mode(mode).save(str(table))
    finally:
        spark.conf.unset(CHECKPOINT_EVERY)
    assert (table / "_delta_log" / "00000000000000000002.checkpoint.parquet").is_file()

    expected = sorted(tuple(r) for r in spark.read.format("delta").load(str(table)).collect())
    got = sorted(tuple(r.values()) for r in read_rows(str(table), ["path", "source", "partition_date", "content_hash"]))
    assert got == expected and len(got) == 2  # the overwrite of version 3 removed the checkpointed files

    content = ingested_content(str(tmp_path), {("orders", date(2024, 3, 2)), ("orders", date(2024, 3, 1))})
    assert content == {("orders", date(2024, 3, 2), "hash3"), ("orders", date(2024, 3, 1), "hash4")}
