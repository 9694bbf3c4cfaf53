"""Checks in real runs: a blocking check stops the fact, a replay moves rows back to silver,
WARN checks let a run finish, and the DQ report shows it all.

Two runs share one Dagster instance: a day whose orders file has half its lines
broken (a source-system fault), then the same day after the file is corrected.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterEventType, DagsterInstance
from pyspark.sql import functions as F

from lakehouse_assets.checks.history import partition_row_counts
from lakehouse_assets.generate import generate
from lakehouse_assets_tests.pipeline import lakehouse_env
from lakehouse_assets_tests.reference import expected

pytestmark = pytest.mark.slow
DAY = date(2024, 3, 5)
QUANTITY = 7  # column index in the orders landing format
ORDERS, FACT = AssetKey(["silver", "orders"]), AssetKey(["gold", "fact_sales"])
RUN_ONE = [AssetKey(["bronze", "orders"]), ORDERS, AssetKey(["quarantine", "orders"]), FACT]


def break_half(text: str) -> tuple[str, set]:
    """Every other well-formed line gets a quantity no parser reads; returns the text and their keys."""
    lines = text.splitlines()
    out, keys = io.StringIO(), set()
    writer = csv.writer(out, lineterminator="\n")
    out.write(lines[0] + "\n")
    for i, line in enumerate(lines[1:]):
        fields = next(csv.reader([line])) if line.strip() else []
        if len(fields) == 12 and i % 2 == 0:
            fields[QUANTITY] = "many"
            keys.add((fields[0], fields[1]))
            writer.writerow(fields)
        else:
            out.write(line + "\n")
    return out.getvalue(), keys


def evaluations(result) -> dict:
    found = {}
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            e = event.event_specific_data
            found[("/".join(e.asset_key.path), e.check_name)] = e
    return found


def quarantine_counts(lake) -> Counter:
    rows = lake.table("quarantine/orders").where(F.col("_partition_date") == DAY) \
        .groupBy("reason", "reason_detail").count().collect()
    return Counter({(r["reason"], None if r["reason"] == "malformed_row" else r["reason_detail"]): r["count"]
                    for r in rows})


@pytest.fixture(scope="module")
def replay(spark, tmp_path_factory):
    from lakehouse_assets.definitions import defs
    from lakehouse_assets.run_plan import DAILY_JOB

    root = tmp_path_factory.mktemp("dq")
    landing = root / "landing"
    generate(DAY, 1, str(landing), rows_per_day=150, seed=21, defects=0.05, progress=False)
    folder = landing / "orders" / f"date={DAY.isoformat()}"
    good = {path: path.read_text() for path in sorted(folder.glob("*.csv"))}
    broken_keys: set = set()
    for path, text in good.items():  # identical files stay identical (a re-delivery stays one)
        broken, keys = break_half(text)
        path.write_text(broken)
        broken_keys |= keys
    instance, job = DagsterInstance.ephemeral(), defs.resolve_job_def(DAILY_JOB)
    with lakehouse_env(spark, landing, root / "lakehouse") as lake:
        first = job.execute_in_process(instance=instance, partition_key=DAY.isoformat(),
                                       asset_selection=RUN_ONE, raise_on_error=False)
        after_first = {"quarantine": quarantine_counts(lake), "expected": expected("orders", landing, DAY),
                       "fact_exists": (root / "lakehouse" / "gold" / "fact_sales").exists()}
        for path, text in good.items():  # the replay: correct the landing file, re-run the day
            path.write_text(text)
        second = job.execute_in_process(instance=instance, partition_key=DAY.isoformat(), raise_on_error=False)
        yield {"lake": lake, "landing": landing, "first": first, "second": second, "instance": instance,
               "after_first": after_first, "broken_keys": broken_keys}


def test_blocking_check_on_silver_stops_the_fact(replay):
    first = replay["first"]
    assert not first.success
    share = evaluations(first)[("silver/orders", "quarantine_share")]
    assert not share.passed and share.blocking and share.severity.value == "ERROR"
    assert share.metadata["share"].value > 0.25
    materialized = {e.asset_key for e in first.get_asset_materialization_events()}
    assert FACT not in materialized
    # Write-audit-publish: the blocked silver table is not written; bronze (the record of what
    # landed) and quarantine (the evidence) are.
    assert AssetKey(["silver", "orders"]) not in materialized
    assert {AssetKey(["bronze", "orders"]), AssetKey(["quarantine", "orders"])} <= materialized
    started = {e.step_key for e in first.all_events if e.event_type == DagsterEventType.STEP_START}
    failed = {e.step_key for e in first.all_events if e.event_type == DagsterEventType.STEP_FAILURE}
    assert failed == {"ingest"} and "ingest" in started
    assert "gold__fact_sales" not in started
    assert not replay["after_first"]["fact_exists"]


def test_quarantine_reasons_and_details_follow_spec(replay):
    """The broken day's quarantine against the independent plain-Python reading of SPEC §3."""
    _, reference_quarantine, _ = replay["after_first"]["expected"]
    assert replay["after_first"]["quarantine"] == reference_quarantine
    assert reference_quarantine[("bad_type", "quantity")] >= len(replay["broken_keys"]) > 0


def test_replay_moves_rows_from_quarantine_to_silver(replay):
    lake, second = replay["lake"], replay["second"]
    assert second.success
    silver, reference_quarantine, _ = expected("orders", replay["landing"], DAY)
    now = quarantine_counts(lake)
    assert now == reference_quarantine  # replaced for the day, not appended
    assert sum(now.values()) < sum(replay["after_first"]["quarantine"].values())
    keys = {(r["order_id"], str(r["line_number"])) for r in lake.table("silver/orders").collect()}
    assert keys == set(silver)
    still_quarantined = {(r["order_id"], r["line_number"]) for r in lake.table("quarantine/orders").collect()}
    broken = replay["broken_keys"]
    assert broken <= keys | still_quarantined  # each broken line is back in silver unless it has another defect
    assert len(broken & keys) > 0.8 * len(broken)
    assert lake.table("gold/fact_sales").count() == len(silver)
    fact_path = f"{lake.lakehouse_root}/gold/fact_sales"
    assert partition_row_counts(lake.spark, fact_path, "order_date") == {DAY: len(silver)}  # from the Delta log
    checks = evaluations(second)
    assert all(e.passed for (table, _), e in checks.items() if table in ("silver/orders", "quarantine/orders"))


def test_warn_checks_report_and_let_the_run_go_on(replay):
    second = replay["second"]
    checks = evaluations(second)
    freshness = checks[("gold/fact_sales", "freshness")]
    assert not freshness.passed and freshness.severity.value == "WARN"  # 2024 data is old today
    assert second.success
    assert AssetKey(["audit", "dq_report"]) in {e.asset_key for e in second.get_asset_materialization_events()}


def test_dq_report_shows_outcomes_chart_and_figures(replay):
    lake, second, instance = replay["lake"], replay["second"], replay["instance"]
    report = next(e.event_specific_data.materialization for e in second.get_asset_materialization_events()
                  if e.asset_key == AssetKey(["audit", "dq_report"]))
    meta = {k: getattr(v, "value", v) for k, v in report.metadata.items()}
    assert "| silver/orders | quarantine_share | ERROR, blocking | passed |" in meta["report"]
    assert "**FAILED** (WARN)" in meta["report"].split("| table |")[1].splitlines()[2]  # failures listed first
    assert Path(meta["chart"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    evaluated = evaluations(second)
    assert meta["dq/checks_failed"] == sum(1 for e in evaluated.values() if not e.passed)
    assert 0 < meta["dq/pass_rate"] < 1
    all_quarantined = sum(lake.table(f"quarantine/{s}").where(F.col("_partition_date") == DAY).count()
                          for s in ("orders", "customers", "products", "stores", "sales_team", "fx_rates"))
    assert meta["dq/quarantined_rows"] == all_quarantined
    table = lake.table("audit/dq_report").where(F.col("date") == DAY)
    assert table.count() == len(evaluated) and table.where(F.col("passed").isNull()).count() == 0
    counted = partition_row_counts(lake.spark, f"{lake.lakehouse_root}/audit/dq_report", "date")
    assert counted == {DAY: len(evaluated)}  # not partitioned on disk: counted by a scan
    history = instance.event_log_storage.get_asset_check_execution_history(
        AssetCheckKey(ORDERS, "quarantine_share"), limit=10)
    outcomes = [r.status.value for r in history if r.status.value != "PLANNED"]
    assert outcomes == ["SUCCEEDED", "FAILED"]  # the failed day stays on record
