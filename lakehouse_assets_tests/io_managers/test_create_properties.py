"""A layer's tables are created with its Delta properties: bronze without column statistics."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from lakehouse_assets.io_managers.tables import DeltaTables

DAY = date(2024, 1, 1)


def _log(table: Path) -> list[dict]:
    return [json.loads(line) for commit in sorted((table / "_delta_log").glob("*.json"))
            for line in commit.read_text().splitlines()]


def _stats(table: Path) -> list[dict]:
    return [json.loads(action["add"]["stats"]) for action in _log(table) if "add" in action]


def _write(spark, tmp_path, key):
    tables = DeltaTables(spark, str(tmp_path))
    frame = spark.createDataFrame([(DAY, "a", 1), (DAY, "b", 2)], "d DATE, name STRING, n INT")
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
