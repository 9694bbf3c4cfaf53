"""A 10-day backfill is one run and fills every daily table for the 10 days: through the
Dagster API (the daily job over a partition key range, as a single-run backfill launches
it) and through `lakehouse run`. Tiny data: a few order lines a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance
from pyspark.sql import functions as F

from lakehouse_assets.cli.run_cmd import execute
from lakehouse_assets.generate import generate
from lakehouse_assets.orchestration.follow_up import follow_up_requests
from lakehouse_assets.orchestration.ingested import ingested_content
from lakehouse_assets.run_plan import DAILY_JOB, MONTHLY_JOB, RANGE_END_TAG, RANGE_START_TAG, UNPARTITIONED_JOB

pytestmark = pytest.mark.slow
START, DAYS = date(2024, 1, 27), 10  # crosses a month end
END = START + timedelta(days=DAYS - 1)
ALL_DAYS = {START + timedelta(days=i) for i in range(DAYS)}
DAILY_TABLES = {"bronze/orders": "_partition_date", "silver/orders": "order_date", "gold/fact_sales": "order_date",
                "silver/dim_date": "date", "audit/ingested_files": "partition_date"}
RANGE = {RANGE_START_TAG: START.isoformat(), RANGE_END_TAG: END.isoformat()}
API_SELECTION = ("bronze/orders", "silver/orders", "quarantine/orders", "silver/dim_date")


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("backfill") / "landing"
    generate(START, DAYS, str(root), rows_per_day=4, seed=21, defects=0.0, progress=False)
    return root


@pytest.fixture
def lake(landing, tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(landing))
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lakehouse"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return tmp_path / "lakehouse"


def days_of(spark, lake, table: str) -> set[date]:
    column = DAILY_TABLES[table]
    frame = spark.read.format("delta").load(str(lake / table))
    return {r[0] for r in frame.select(F.col(column)).distinct().collect()}


def test_ten_day_backfill_through_the_dagster_api_is_one_run(spark, lake):
    """The daily job over a range, as a UI backfill launches it (the orders chain only:
    the `lakehouse run` test below covers every table)."""
    from lakehouse_assets.definitions import defs

    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(DAILY_JOB).execute_in_process(
            instance=instance, tags=RANGE, asset_selection=[AssetKey(k.split("/")) for k in API_SELECTION])
        assert result.success
        [run] = instance.get_runs()
    starts = [e.step_key for e in result.all_events if e.event_type_value == DagsterEventType.STEP_START.value]
    assert len(starts) == len(set(starts))  # each step once, for the whole range
    assert {"ingest", "dimensions"} <= set(starts)
    materialized = {(tuple(e.asset_key.path), e.partition) for e in result.all_events
                    if e.event_type_value == DagsterEventType.ASSET_MATERIALIZATION.value}
    assert materialized == {(tuple(k.split("/")), d.isoformat()) for k in API_SELECTION for d in ALL_DAYS}
    for table in ("bronze/orders", "silver/orders", "silver/dim_date"):
        assert days_of(spark, lake, table) == ALL_DAYS, table
    # What follows the run: both months it touched, in one run, and the unpartitioned tables.
    monthly, unpartitioned = follow_up_requests(run, archive=False)
    assert (monthly.tags[RANGE_START_TAG], monthly.tags[RANGE_END_TAG]) == ("2024-01-01", "2024-02-01")
    assert unpartitioned.job_name == UNPARTITIONED_JOB


def test_ten_day_backfill_through_lakehouse_run_is_one_daily_run(spark, lake, tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    output: list[str] = []
    assert execute(START, END, echo=output.append) == 0
    with DagsterInstance.get() as instance:
        runs = {}
        for run in instance.get_runs():
            runs.setdefault(run.job_name, []).append(run)
    assert {name: len(found) for name, found in runs.items()} == {DAILY_JOB: 1, MONTHLY_JOB: 1, UNPARTITIONED_JOB: 1}
    [daily] = runs[DAILY_JOB]
    assert (daily.tags[RANGE_START_TAG], daily.tags[RANGE_END_TAG]) == (START.isoformat(), END.isoformat())
    for table in DAILY_TABLES:
        assert days_of(spark, lake, table) == ALL_DAYS, table
    months = {r[0] for r in spark.read.format("delta").load(str(lake / "gold" / "customer_monthly_sales"))
              .select("month").distinct().collect()}
    assert months == {date(2024, 1, 1), date(2024, 2, 1)}
    # The sensor's Spark-free reading of the audit table agrees with Spark.
    audit = spark.read.format("delta").load(str(lake / "audit" / "ingested_files"))
    expected = {(r["source"], r["partition_date"], r["content_hash"]) for r in audit.collect()}
    assert ingested_content(str(lake), {(s, d) for s, d, _ in expected}) == expected
