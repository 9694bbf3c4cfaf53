"""The whole graph on generated, defective data: the suite's reference lakehouse
(two days across a month end, pipeline.py) and a second run of it (the days in reverse
order: test_day_order.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from lakehouse_assets_tests.pipeline import ALL_TABLES, DAY1, DAY2, Reference, lakehouse_env
from lakehouse_assets_tests.reference import SPECS, expected, expected_orders

pytestmark = pytest.mark.slow
START, END = DAY1, DAY2
DAYS = 2  # crosses a month end


@pytest.fixture(scope="module")
def built(reference: Reference):
    lake = reference.lakehouse()
    lake.output = reference.output
    return lake, {key: reference.snapshot(key) for key in ALL_TABLES}


@pytest.fixture(scope="module")
def second_run(reference: Reference, spark, tmp_path_factory):
    """The same days run again over a copy of the reference: what each table holds after it,
    and what the session still caches once it ended."""
    root = reference.copy_to(tmp_path_factory.mktemp("second-run") / "lakehouse")
    with lakehouse_env(spark, reference.landing, root) as lake:
        assert lake.run(START, END) == 0, "\n".join(lake.output)
        cached = spark.sparkContext._jsc.getPersistentRDDs()
        names = [str(cached.get(key).name()) for key in cached.keySet().toArray()]
        return {key: lake.snapshot(key) for key in ALL_TABLES}, names


def test_silver_and_quarantine_match_reference(built):
    lake, _ = built
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        silver, quarantine, duplicates = expected_orders(Path(lake.landing_root), day)
        rows = lake.table("silver/orders").where(F.col("order_date") == day)
        got_keys = {(r["order_id"], r["line_number"]) for r in rows.select("order_id", "line_number").collect()}
        assert got_keys == set(silver), day
        got_reasons = {
            r["reason"]: r["count"] for r in lake.table("quarantine/orders")
            .where(F.col("_partition_date") == day).groupBy("reason").count().collect()
        }
        assert got_reasons == dict(quarantine), day
        assert sum(quarantine.values()) > 0, "the generated data set has defects"


SILVER_DATE_COLUMN = {"orders": "order_date", "fx_rates": "rate_date"}


@pytest.mark.parametrize("source", sorted(SPECS))
def test_every_source_matches_reference_by_reason_and_detail(built, source):
    """Silver keys, and quarantine counts by (reason, reason_detail), for every source and day."""
    lake, _ = built
    date_column = SILVER_DATE_COLUMN.get(source, "_partition_date")
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        silver, quarantine, _ = expected(source, Path(lake.landing_root), day)
        got_silver = lake.table(f"silver/{source}").where(F.col(date_column) == day).count()
        assert got_silver == len(silver), (source, day)
        got: dict = {}
        for r in (lake.table(f"quarantine/{source}").where(F.col("_partition_date") == day)
                  .groupBy("reason", "reason_detail").count().collect()):
            key = (r["reason"], None if r["reason"] == "malformed_row" else r["reason_detail"])
            got[key] = got.get(key, 0) + r["count"]
        assert got == dict(quarantine), (source, day)


def test_row_accounting_balances(built):
    lake, _ = built
    bronze = lake.table("bronze/orders").groupBy("_partition_date").count().collect()
    for row in bronze:
        day = row["_partition_date"]
        silver = lake.table("silver/orders").where(F.col("order_date") == day).count()
        quarantined = lake.table("quarantine/orders").where(F.col("_partition_date") == day).count()
        _, _, duplicates = expected_orders(Path(lake.landing_root), day)
        assert row["count"] == silver + quarantined + duplicates


def test_run_summary_reports_each_table_once(built):
    lake, _ = built
    lines = {line.split()[0]: line.split() for line in lake.output if line.startswith(("bronze/", "gold/"))}
    assert int(lines["bronze/orders"][1].replace(",", "")) == lake.table("bronze/orders").count()
    assert int(lines["gold/fact_sales"][1].replace(",", "")) == lake.table("gold/fact_sales").count()
    assert lines["gold/fact_sales"][2].endswith("gold/fact_sales")


def test_fact_has_one_row_per_silver_line(built):
    lake, _ = built
    assert lake.table("gold/fact_sales").count() == lake.table("silver/orders").count()
    months = {r["month"] for r in lake.table("gold/customer_monthly_sales").select("month").collect()}
    assert months == {date(2024, 1, 1), date(2024, 2, 1)}


def test_a_run_leaves_nothing_cached(second_run):
    # Assets persist what several actions read; a long-lived process must get that memory back.
    _, names = second_run
    # Delta keeps each table's log state cached, and evicts it itself.
    assert [name for name in names if not name.startswith("Delta Table State")] == []


def test_second_run_changes_no_table(built, second_run):
    _, first = built
    again, _ = second_run
    for key in ALL_TABLES:
        assert again[key] == first[key], key


@pytest.mark.parametrize("key", ["gold/fact_sales", "silver/dim_customer", "quarantine/orders",
                                 "audit/ingested_files", "gold/customer_lifetime_value"])
def test_delta_rs_and_spark_read_the_same_rows(reference, key):
    """The comparisons read tables with delta-rs; Spark collects the same values."""
    lake = reference.lakehouse()
    rows = lake.snapshot(key)
    assert rows and rows == lake.snapshot(key, with_spark=True)
