"""A layer's tables are created with its Delta properties and written with its Parquet
settings: bronze without column statistics or dictionary encoding, compressed with zstd."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lakehouse_assets.io_managers.tables import DeltaTables, layer_write_settings

DAY = date(2024, 1, 1)


def _log(table: Path) -> list[dict]:
    return [json.loads(line) for commit in sorted((table / "_delta_log").glob("*.json"))
            for line in commit.read_text().splitlines()]


def _stats(table: Path) -> list[dict]:
    return [json.loads(action["add"]["stats"]) for action in _log(table) if "add" in action]


def _write(spark, tmp_path, key, rows=((DAY, "a", 1), (DAY, "b", 2))):
    tables = DeltaTables(spark, str(tmp_path))
    frame = spark.createDataFrame(list(rows), "d DATE, name STRING, n INT")
    tables.replace_window(frame, key, "d", DAY, DAY + timedelta(days=1))
    return tables


def test_bronze_tables_keep_row_counts_but_no_column_statistics(spark, tmp_path):
    tables = _write(spark, tmp_path, ["bronze", "lines"])
    table = tmp_path / "bronze" / "lines"
    metadata = next(action["metaData"] for action in _log(table) if "metaData" in action)
    assert metadata["configuration"] == {"delta.dataSkippingNumIndexedCols": "0"}
    assert _stats(table) == [{"numRecords": 2}]
    # A later write into the existing table keeps the property and still counts rows.
    _write(spark, tmp_path, ["bronze", "lines"])
    assert _stats(table)[-1] == {"numRecords": 2}
    assert tables.read(["bronze", "lines"]).count() == 2


def test_other_layers_keep_their_column_statistics(spark, tmp_path):
    _write(spark, tmp_path, ["silver", "lines"])
    stats = _stats(tmp_path / "silver" / "lines")
    assert stats[0]["numRecords"] == 2
    assert stats[0]["minValues"] == {"name": "a", "n": 1} and stats[0]["maxValues"] == {"name": "b", "n": 2}


def _chunks(table: Path) -> list:
    """The metadata of every column chunk in the table's data files."""
    chunks = []
    for file in table.rglob("*.parquet"):
        metadata = pq.ParquetFile(file).metadata
        chunks += [metadata.row_group(g).column(c)
                   for g in range(metadata.num_row_groups) for c in range(metadata.num_columns)]
    return chunks


def _dictionary_encoded(chunks: list) -> bool:
    return any("DICTIONARY" in encoding for chunk in chunks for encoding in chunk.encodings)


def test_bronze_is_written_without_dictionaries_in_zstd_and_other_layers_as_parquet_defaults(spark, tmp_path):
    # Few values, many rows: Parquet keeps a dictionary where it is allowed to.
    rows = [(DAY, "abc"[i % 3], i % 5) for i in range(1000)]
    _write(spark, tmp_path, ["bronze", "lines"], rows)
    _write(spark, tmp_path, ["bronze", "lines"], rows)  # the table's creation, then a replaceWhere
    _write(spark, tmp_path, ["silver", "lines"], rows)
    bronze, silver = _chunks(tmp_path / "bronze" / "lines"), _chunks(tmp_path / "silver" / "lines")
    assert bronze and not _dictionary_encoded(bronze)
    assert {chunk.compression for chunk in bronze} == {"ZSTD"}
    assert _dictionary_encoded(silver) and {chunk.compression for chunk in silver} == {"SNAPPY"}
    # The session's own settings are back after each write.
    assert spark.conf.get("parquet.enable.dictionary", None) is None
    assert spark.conf.get("spark.sql.parquet.compression.codec") == "snappy"


def test_layer_settings_restore_the_session_after_a_failed_write(spark):
    spark.conf.set("parquet.enable.dictionary", "true")
    try:
        with pytest.raises(RuntimeError), layer_write_settings(spark, "bronze"):
            assert spark.conf.get("parquet.enable.dictionary") == "false"
            raise RuntimeError("the write failed")
        assert spark.conf.get("parquet.enable.dictionary") == "true"
    finally:
        spark.conf.unset("parquet.enable.dictionary")
