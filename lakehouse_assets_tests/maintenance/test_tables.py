"""Retention (Delta DELETE), OPTIMIZE with Z-order and VACUUM on small real Delta tables,
and the weekly maintenance job run over a temporary lakehouse."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance
from delta.tables import DeltaTable

from lakehouse_assets.maintenance.job import MAINTENANCE_JOB
from lakehouse_assets.maintenance.tables import (
    delete_before,
    discover_tables,
    optimize,
    retention_cutoff,
    vacuum,
)

TODAY = datetime.now(UTC).date()


def write_days(spark, path: Path, days: list[date], column: str, rows_per_day: int = 3, mode: str = "append") -> None:
    rows = [(f"C{i % 5}", f"P{i % 3}", d, i) for d in days for i in range(rows_per_day)]
    frame = spark.createDataFrame(rows, f"customer_id string, product_id string, {column} date, quantity int")
    frame.write.format("delta").mode(mode).partitionBy(column).save(str(path))


def data_files(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*.parquet")}


def history(spark, path: Path) -> list:
    return DeltaTable.forPath(spark, str(path)).history().orderBy("version").collect()


def test_retention_cutoff_keeps_whole_months():
    assert retention_cutoff(date(2024, 7, 20), 180, "order_date") == date(2024, 1, 22)
    assert retention_cutoff(date(2024, 7, 20), 365, "month") == date(2023, 7, 1)


@pytest.mark.slow  # Delta maintenance on a written table
def test_retention_deletes_old_partitions_with_a_delta_delete(spark, tmp_path):
    root, path = tmp_path, tmp_path / "silver" / "orders"
    old, recent = [date(2023, 1, 1), date(2023, 1, 2)], [TODAY - timedelta(days=1)]
    write_days(spark, path, old + recent, "order_date")
    files_before = data_files(path)
    deleted = delete_before(spark, str(root), "silver/orders", "order_date", retention_cutoff(TODAY, 180, "order_date"))
    assert deleted == 6
    remaining = {r["order_date"] for r in spark.read.format("delta").load(str(path)).select("order_date").collect()}
    assert remaining == set(recent)
    assert history(spark, path)[-1]["operation"] == "DELETE"
    assert data_files(path) == files_before  # a commit, not a file removal: VACUUM removes files later
    assert delete_before(spark, str(root), "silver/orders", "order_date", date(2000, 1, 1)) == 0


@pytest.mark.slow  # Delta maintenance on a written table
def test_optimize_z_orders_recent_partitions_only(spark, tmp_path):
    path = tmp_path / "gold" / "fact_sales"
    old_day, recent_day = TODAY - timedelta(days=60), TODAY - timedelta(days=2)
    for _ in range(3):  # three small files per partition
        write_days(spark, path, [old_day, recent_day], "order_date", rows_per_day=4)
    report = optimize(spark, str(tmp_path), "gold/fact_sales", ("customer_id", "product_id"),
                      since=TODAY - timedelta(days=14))
    assert report == {"files_added": 1, "files_removed": 3}
    last = history(spark, path)[-1]
    assert last["operation"] == "OPTIMIZE"
    assert "customer_id" in last["operationParameters"]["zOrderBy"]
    active = DeltaTable.forPath(spark, str(path)).detail().collect()[0]["numFiles"]
    assert active == 4  # the old partition keeps its three files, the recent one has one
    with pytest.raises(ValueError, match="zorder_by.gold/fact_sales"):
        optimize(spark, str(tmp_path), "gold/fact_sales", ("order_date",))


@pytest.mark.slow  # Delta maintenance on a written table
def test_compaction_rewrites_a_layers_files_with_its_write_settings(spark, tmp_path):
    path = tmp_path / "bronze" / "orders"
    for _ in range(2):
        write_days(spark, path, [TODAY], "date", rows_per_day=4)
    assert optimize(spark, str(tmp_path), "bronze/orders") == {"files_added": 1, "files_removed": 2}
    active = DeltaTable.forPath(spark, str(path)).toDF().inputFiles()
    codecs = {pq.ParquetFile(file.removeprefix("file:")).metadata.row_group(0).column(0).compression
              for file in active}
    assert codecs == {"ZSTD"}  # bronze's codec (io_managers/tables.py WRITE_SETTINGS), not the session's
    assert spark.conf.get("spark.sql.parquet.compression.codec") == "snappy"


@pytest.mark.slow  # Delta maintenance on a written table
def test_vacuum_removes_only_unreferenced_old_files(spark, tmp_path):
    path = tmp_path / "bronze" / "orders"
    write_days(spark, path, [TODAY], "_partition_date")
    write_days(spark, path, [TODAY], "_partition_date", mode="overwrite")  # the first file is now unreferenced
    live = set(spark.read.format("delta").load(str(path)).inputFiles())
    assert len(data_files(path)) == 2 and len(live) == 1
    week_ago = time.time() - 8 * 24 * 3600
    for file in path.rglob("*.parquet"):
        os.utime(file, (week_ago, week_ago))
    # The overwrite's tombstone is fresh, so a 168-hour VACUUM keeps the old file ...
    vacuum(spark, str(tmp_path), "bronze/orders", 168)
    assert len(data_files(path)) == 2
    # ... and only a retention shorter than its age (Delta's safety check off) removes it.
    spark.conf.set("spark.databricks.delta.retentionDurationCheck.enabled", "false")
    try:
        vacuum(spark, str(tmp_path), "bronze/orders", 0)
    finally:
        spark.conf.unset("spark.databricks.delta.retentionDurationCheck.enabled")
    assert len(data_files(path)) == 1
    assert spark.read.format("delta").load(str(path)).count() == 3


@pytest.mark.slow
def test_weekly_job_runs_every_step_on_the_lakehouse(spark, tmp_path, monkeypatch):
    from lakehouse_assets.definitions import defs

    for _ in range(2):  # two small files for today: something to compact
        write_days(spark, tmp_path / "bronze" / "orders", [date(2020, 1, 1), TODAY], "_partition_date")
    write_days(spark, tmp_path / "silver" / "dim_customer", [date(2020, 1, 1)], "valid_from")  # no retention
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path))
    assert discover_tables(spark, str(tmp_path)) == ["bronze/orders", "silver/dim_customer"]
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(MAINTENANCE_JOB).execute_in_process(instance=instance)
    assert result.success
    outputs = {e.step_key: e.event_specific_data.metadata for e in result.all_events
               if e.event_type_value == "STEP_OUTPUT"}
    assert outputs["apply_retention"]["retention"].value["bronze/orders"]["rows_deleted"] == 6
    assert "silver/dim_customer" not in outputs["apply_retention"]["retention"].value
    assert set(outputs["optimize_tables"]["optimize"].value) == {"bronze/orders", "silver/dim_customer"}
    bronze = spark.read.format("delta").load(str(tmp_path / "bronze" / "orders"))
    assert {r["_partition_date"] for r in bronze.collect()} == {TODAY}
    assert spark.read.format("delta").load(str(tmp_path / "silver" / "dim_customer")).count() == 3
    assert {"DELETE", "OPTIMIZE"} <= {r["operation"] for r in history(spark, tmp_path / "bronze" / "orders")}
