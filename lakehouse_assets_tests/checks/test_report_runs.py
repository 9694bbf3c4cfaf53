"""The DQ report built from Dagster's event log: tiny assets with checks run in an ephemeral
instance (`dagster.materialize`), among them stand-ins of a crm and an events table
recording those sources' own check results (no Spark here).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    DagsterInstance,
    DailyPartitionsDefinition,
    Definitions,
    MaterializeResult,
    MetadataValue,
    asset,
    materialize,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from lakehouse_assets.checks.report import SOURCE_CHECKS, build_report
from lakehouse_assets.checks.report_events import report_asset_graph
from lakehouse_assets.checks.report_outcomes import BY_DATE, NOT_EVALUATED
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.crm import checks as crm_checks
from lakehouse_assets.events import checks as event_checks
from lakehouse_assets.resources.crm_db import CRM_UNTIL_TAG


@pytest.fixture(autouse=True, scope="module")
def _forget_module_tables():
    """Overrides the suite's fixture of that name: this module starts no SparkSession."""
    yield


D1, D2, D3 = date(2024, 1, 30), date(2024, 1, 31), date(2024, 2, 1)
RANGE = Window(D1, D3 + timedelta(days=1))


DAILY = DailyPartitionsDefinition(start_date="2024-01-01")
RUN_DESCRIPTIONS = {D1: "0 of 20 rows without USD amounts", D2: "5 of 20 rows without USD amounts",
                    D3: "0 of 20 rows without USD amounts"}


def window_of(context) -> Window:
    time_window = context.partition_time_window
    return Window(time_window.start.date(), time_window.end.date())


@asset(key=["bronze", "orders"], partitions_def=DAILY,
       check_specs=[AssetCheckSpec("landing_schema", asset=AssetKey(["bronze", "orders"]), blocking=True)])
def bronze_orders(context):
    return MaterializeResult(check_results=[AssetCheckResult(check_name="landing_schema", passed=True)])


@asset(key=["silver", "orders"], deps=[AssetKey(["bronze", "orders"])], partitions_def=DAILY,
       check_specs=[AssetCheckSpec("fx_coverage", asset=AssetKey(["silver", "orders"])),
                    AssetCheckSpec("quarantine_share", asset=AssetKey(["silver", "orders"]), blocking=True)])
def silver_orders(context):
    """fx_coverage fails on D2 only; a run over several dates records each date's outcome."""
    window = window_of(context)
    by_date = {d.isoformat(): {"passed": d != D2, "description": RUN_DESCRIPTIONS[d]} for d in window.days}
    meta = {**window.metadata(), **({BY_DATE: MetadataValue.json(by_date)} if len(window.days) > 1 else {})}
    failed = [d for d in window.days if d == D2]
    fx = AssetCheckResult(check_name="fx_coverage", passed=not failed, severity=AssetCheckSeverity.WARN,
                          description=f"{5 * len(failed)} of {20 * len(window.days)} rows without USD amounts",
                          metadata=meta)
    share = AssetCheckResult(check_name="quarantine_share", passed=True, description="share ok",
                             metadata=window.metadata())
    return MaterializeResult(metadata={"dagster/row_count": 20 * len(window.days)}, check_results=[fx, share])


@asset(key=["quarantine", "orders"], deps=[AssetKey(["bronze", "orders"])], partitions_def=DAILY)
def quarantine_orders(context):
    days = len(window_of(context).days)
    return MaterializeResult(metadata={"dagster/row_count": 4 * days, "accounting/quarantine.bad_type": 3 * days})


REPORTS: list = []
GRAPHS: dict = {}  # "code location": the graph a run launched from the code location would see


@asset(key=["audit", "dq_report"], deps=[AssetKey(["silver", "orders"]), AssetKey(["quarantine", "orders"])],
       partitions_def=DAILY)
def dq_report(context):
    graph = GRAPHS.get("code location") or report_asset_graph(context)
    report = build_report(context.instance, graph, context.run.run_id, window_of(context), report_days=3)
    REPORTS.append(report)
    return MaterializeResult(metadata=report.metadata)


ASSETS = [bronze_orders, silver_orders, quarantine_orders, dq_report]
WITHOUT_BRONZE = [silver_orders, quarantine_orders, dq_report]


def run_range(instance, first: date, last: date, selection=WITHOUT_BRONZE):
    tags = {ASSET_PARTITION_RANGE_START_TAG: first.isoformat(), ASSET_PARTITION_RANGE_END_TAG: last.isoformat()}
    result = materialize(ASSETS, instance=instance, tags=tags, selection=selection)
    assert result.success
    return REPORTS[-1]


def rows_of(report) -> dict:
    return {(r[0], r[1], r[2]): (r[3], r[6]) for r in report.rows}


@pytest.fixture(scope="module")
def instance():
    with DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral


def test_range_run_report_has_each_dates_own_outcome(instance):
    report = run_range(instance, D1, D3)
    rows = rows_of(report)
    assert [rows[(d, "silver/orders", "fx_coverage")] for d in RANGE.days] == [
        (True, RUN_DESCRIPTIONS[D1]), (False, RUN_DESCRIPTIONS[D2]), (True, RUN_DESCRIPTIONS[D3])]
    assert {rows[(d, "silver/orders", "quarantine_share")] for d in RANGE.days} == {(True, "share ok")}
    # run in process without bronze/orders: the job's asset graph holds only the selected assets' checks
    assert len(report.rows) == 6 and "landing_schema" not in {r[2] for r in report.rows}
    meta = report.metadata
    text = meta["report"].value
    assert "| silver/orders | fx_coverage | WARN | **FAILED** (WARN) on 1 of 3 dates | 2024-01-31: 5 of 20 rows" in \
        text.split("| table |")[1].splitlines()[2]
    assert "| silver/orders | quarantine_share | ERROR, blocking | passed |" in text
    assert "| orders | 12 | bad_type 9, other 3 |" in text
    assert "data:image/png;base64," in text
    assert (meta["dq/checks_failed"], meta["dq/checks_not_evaluated"], meta["dq/pass_rate"]) == (1, 0, 0.5)
    assert meta["dq/quarantined_rows"] == 12
    assert meta["dq/fact_rows"] == 0  # no gold/fact_sales upstream here
    # no crm or events check was ever evaluated on this instance: not listed, and said so
    assert not {r[1] for r in report.rows} & {c.asset_key for refs in SOURCE_CHECKS.values() for c in refs}
    assert "Not listed: the checks of crm, events (never evaluated on this instance" in text


def test_one_date_rerun_replaces_that_dates_figures(instance):
    report = run_range(instance, D3, D3, selection=ASSETS)
    rows = rows_of(report)
    assert rows == {(D3, "bronze/orders", "landing_schema"): (True, ""),
                    (D3, "silver/orders", "fx_coverage"): (True, "0 of 20 rows without USD amounts"),
                    (D3, "silver/orders", "quarantine_share"): (True, "share ok")}
    assert report.metadata["dq/quarantined_rows"] == 4
    assert report.metadata["dq/checks_failed"] == 0 and report.metadata["dq/pass_rate"] == 1.0
    assert report.chart[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_alone_reads_earlier_runs_evaluations_and_materializations(instance):
    """Materialized alone (a run launched from the code location sees the upstream checks)."""
    GRAPHS["code location"] = Definitions(assets=ASSETS).resolve_asset_graph()
    try:
        result = materialize(ASSETS, instance=instance, selection=[dq_report], tags={
            ASSET_PARTITION_RANGE_START_TAG: D1.isoformat(), ASSET_PARTITION_RANGE_END_TAG: D3.isoformat()})
    finally:
        GRAPHS.clear()
    assert result.success
    report = REPORTS[-1]
    rows = rows_of(report)
    assert rows[(D2, "silver/orders", "fx_coverage")] == (False, RUN_DESCRIPTIONS[D2])
    assert rows[(D3, "bronze/orders", "landing_schema")] == (True, "")
    assert rows[(D1, "bronze/orders", "landing_schema")] == (None, NOT_EVALUATED)
    # D1 and D2 keep two thirds of the first run's 12 rows; D3 was written again with 4
    assert report.metadata["dq/quarantined_rows"] == 8 + 4
    assert "even share" in report.metadata["report"].value


# ---- the crm and events sources: their own jobs record their checks; the report lists them ----

@asset(key=["silver", "crm_contacts"],
       check_specs=[AssetCheckSpec(crm_checks.ROW_ACCOUNTING, asset=AssetKey(["silver", "crm_contacts"]),
                                   blocking=True)])
def silver_crm_contacts(context):
    """Unpartitioned, as the crm step's tables: the whole table checked as the extraction left it."""
    result = crm_checks.accounting_result(AssetKey(["silver", "crm_contacts"]), {"bronze": 10, "duplicate": 1},
                                          silver=7, quarantine=2)
    return MaterializeResult(check_results=[result])


@asset(key=["silver", "events"], partitions_def=DAILY,
       check_specs=[AssetCheckSpec(event_checks.ROW_ACCOUNTING, asset=event_checks.SILVER)])
def silver_events(context):
    """Daily, as silver/events: row accounting of the run's dates (no dates of its own recorded)."""
    days = len(window_of(context).days)
    return MaterializeResult(check_results=[event_checks.row_accounting(10 * days, 8 * days, days, 9 * days)])


def test_crm_and_events_checks_appear_for_their_dates(instance):
    """Recorded by runs of their own (not upstream of the report, not in its run's asset graph)."""
    assert materialize([silver_crm_contacts], instance=instance, tags={CRM_UNTIL_TAG: D2.isoformat()}).success
    assert materialize([silver_events], instance=instance, tags={
        ASSET_PARTITION_RANGE_START_TAG: D2.isoformat(), ASSET_PARTITION_RANGE_END_TAG: D3.isoformat()}).success
    report = run_range(instance, D1, D3, selection=ASSETS)
    rows = rows_of(report)
    crm = "bronze 10 = silver 7 + quarantine 2 + duplicates 1"
    # the extraction read up to the end of D2: its whole-table check covers D1 and D2, not D3
    assert [rows[(d, "silver/crm_contacts", "row_accounting")] for d in RANGE.days] == [
        (True, crm), (True, crm), (None, NOT_EVALUATED)]
    assert [rows[(d, "silver/events", "row_accounting")] for d in RANGE.days] == [
        (None, NOT_EVALUATED)] + [(True, "bronze 20 = silver 16 + quarantined 2 + duplicates 2")] * 2
    # the rest of each source's checks is listed, not evaluated; its monthly tables are not listed
    assert rows[(D2, "bronze/crm_contacts", "extraction_accounting")] == (None, NOT_EVALUATED)
    assert rows[(D2, "bronze/events", "offsets_exactly_once")] == (None, NOT_EVALUATED)
    assert not {r[1] for r in report.rows} & {"gold/sales_pipeline_monthly", "gold/customer_engagement_monthly"}
    by_check = {(r[0], r[1], r[2]): r for r in report.rows}
    assert by_check[(D2, "silver/crm_contacts", "row_accounting")][4:6] == ("ERROR", True)
    assert by_check[(D3, "silver/events", "row_accounting")][4:6] == ("ERROR", False)
    text = report.metadata["report"].value
    assert "Not listed" not in text
    assert "| silver/crm_contacts | row_accounting | ERROR, blocking | passed (2 of 3 dates evaluated) | " + crm \
        in text
    assert "| silver/events | row_accounting | ERROR | passed (2 of 3 dates evaluated) |" in text
    listed = {(r[1], r[2]) for r in report.rows}
    assert len(listed) == 3 + 25 + 12  # the orders stand-ins' checks, then every crm and events check


def test_a_crm_extraction_up_to_now_covers_every_earlier_date(instance):
    assert materialize([silver_crm_contacts], instance=instance).success  # no bound tag: read up to now
    rows = rows_of(run_range(instance, D1, D3))
    assert {rows[(d, "silver/crm_contacts", "row_accounting")][0] for d in RANGE.days} == {True}
