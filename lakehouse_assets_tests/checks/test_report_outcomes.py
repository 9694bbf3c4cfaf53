"""The DQ report's pure parts: outcomes per date, figures, summary and rendering, from the
data structures of `report_outcomes` and `report_figures` (no Spark, no Dagster instance).

The same report built from a Dagster event log is tested in test_report_runs; the full
pipeline's report in test_blocking_and_replay.
"""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

import pytest

from lakehouse_assets.checks.report import SOURCE_CHECKS, with_sources
from lakehouse_assets.checks.report_figures import (
    Figure,
    figures_by_day,
    quarantine_values,
    totals_over,
)
from lakehouse_assets.checks.report_outcomes import (
    BY_DATE,
    NOT_EVALUATED,
    CheckRef,
    Evaluation,
    outcomes_for,
    pass_rates,
    summarize,
)
from lakehouse_assets.checks.report_render import markdown_report, render_chart
from lakehouse_assets.checks.windows import Window


@pytest.fixture(autouse=True, scope="module")
def _forget_module_tables():
    """Overrides the suite's fixture of that name: this module starts no SparkSession."""
    yield


D1, D2, D3 = date(2024, 1, 30), date(2024, 1, 31), date(2024, 2, 1)
RANGE = Window(D1, D3 + timedelta(days=1))
FX = CheckRef("gold/fact_sales", "fx_coverage", False)
SHARE = CheckRef("silver/orders", "quarantine_share", True)
CONTRACT = CheckRef("silver/dim_store", "contract", True)
LANDING = CheckRef("bronze/orders", "landing_schema", True)


def evaluation(check: CheckRef, passed: bool, description: str, window: Window | None = RANGE,
               run_id: str = "run-1", severity: str = "ERROR", **metadata) -> Evaluation:
    return Evaluation(check.asset_key, check.check_name, passed, severity, description, window, run_id,
                      None, metadata)


FX_BY_DATE = {  # the fx_coverage check of a three-date run: each date's own figures
    D1.isoformat(): {"passed": True, "description": "0 of 20,000 rows without USD amounts", "rows": 20000},
    D2.isoformat(): {"passed": False, "description": "1,805 of 19,700 rows without USD amounts"},
    D3.isoformat(): {"passed": True, "description": "0 of 19,400 rows without USD amounts"},
}
EVALUATIONS = {
    ("gold/fact_sales", "fx_coverage"): [evaluation(
        FX, False, "1,805 of 59,100 rows without USD amounts", severity="WARN", **{BY_DATE: FX_BY_DATE})],
    ("silver/orders", "quarantine_share"): [evaluation(SHARE, True, "12 of 600 rows quarantined (2.0%)")],
    ("silver/dim_store", "contract"): [evaluation(CONTRACT, True, "columns and types match the contract")],
}


def test_each_date_takes_its_own_outcome_from_by_date():
    outcomes = outcomes_for([FX], EVALUATIONS, RANGE.days)
    assert [(o.day, o.passed, o.description) for o in outcomes] == [
        (D1, True, "0 of 20,000 rows without USD amounts"),
        (D2, False, "1,805 of 19,700 rows without USD amounts"),
        (D3, True, "0 of 19,400 rows without USD amounts")]
    assert not any("59,100" in o.description for o in outcomes)
    assert {(o.severity, o.blocking, o.run_id) for o in outcomes} == {("WARN", False, "run-1")}


def test_without_by_date_every_date_of_the_window_takes_the_whole_outcome():
    outcomes = outcomes_for([SHARE, CONTRACT], EVALUATIONS, RANGE.days)
    assert len(outcomes) == 6
    assert {(o.check_name, o.passed, o.description) for o in outcomes} == {
        ("quarantine_share", True, "12 of 600 rows quarantined (2.0%)"),
        ("contract", True, "columns and types match the contract")}


def test_a_date_missing_from_by_date_takes_the_whole_outcome():
    partial = {("gold/fact_sales", "fx_coverage"): [evaluation(
        FX, False, "whole window", severity="WARN", **{BY_DATE: {D2.isoformat(): FX_BY_DATE[D2.isoformat()]}})]}
    assert [o.description for o in outcomes_for([FX], partial, RANGE.days)] == [
        "whole window", "1,805 of 19,700 rows without USD amounts", "whole window"]


def test_this_runs_evaluation_wins_then_the_most_recent_covering_one():
    history = {("silver/orders", "quarantine_share"): [  # most recent first
        evaluation(SHARE, True, "later, other run", Window(D3, D3 + timedelta(days=1)), run_id="run-3"),
        evaluation(SHARE, False, "this run", Window(D2, D3 + timedelta(days=1)), run_id="run-2"),
        evaluation(SHARE, True, "earliest", RANGE, run_id="run-1"),
    ]}
    assert [(o.description, o.run_id) for o in outcomes_for([SHARE], history, RANGE.days, run_id="run-2")] == [
        ("earliest", "run-1"), ("this run", "run-2"), ("this run", "run-2")]
    assert [o.description for o in outcomes_for([SHARE], history, RANGE.days)] == [
        "earliest", "this run", "later, other run"]


def test_a_check_without_a_covering_evaluation_is_not_evaluated():
    outcomes = outcomes_for([LANDING], {("bronze/orders", "landing_schema"): [
        evaluation(LANDING, True, "no dates known", window=None)]}, [D1])
    assert [(o.passed, o.severity, o.description, o.blocking) for o in outcomes] == [
        (None, None, NOT_EVALUATED, True)]


def test_a_whole_table_evaluation_covers_every_date_up_to_its_bound():
    crm = CheckRef("silver/crm_deals", "row_accounting", True, unpartitioned=True)
    history = {("silver/crm_deals", "row_accounting"): [  # most recent first
        Evaluation(crm.asset_key, crm.check_name, True, "ERROR", "bound D2", None, "run-2", through=D2),
        Evaluation(crm.asset_key, crm.check_name, False, "ERROR", "bound D1", None, "run-1", through=D1)]}
    assert [(o.passed, o.description) for o in outcomes_for([crm], history, RANGE.days)] == [
        (True, "bound D2"), (True, "bound D2"), (None, NOT_EVALUATED)]


def test_the_sources_checks_are_their_daily_and_unpartitioned_tables():
    crm = {(c.asset_key, c.check_name): c for c in SOURCE_CHECKS["crm"]}
    events = {(c.asset_key, c.check_name): c for c in SOURCE_CHECKS["events"]}
    assert crm[("silver/crm_contacts", "row_accounting")] == CheckRef(
        "silver/crm_contacts", "row_accounting", True, unpartitioned=True)
    assert {("bronze/crm_deals", "extraction_accounting"), ("audit/source_watermarks", "watermark_lag"),
            ("quarantine/crm_deals", "contract"), ("silver/dim_contact", "value_ranges")} <= set(crm)
    assert events[("silver/events", "row_accounting")] == CheckRef("silver/events", "row_accounting", False)
    assert events[("bronze/events", "offsets_exactly_once")].unpartitioned
    assert ("gold/product_funnel_daily", "contract") in events
    monthly = {"gold/sales_pipeline_monthly", "gold/customer_engagement_monthly"}
    assert not monthly & {c.asset_key for c in [*SOURCE_CHECKS["crm"], *SOURCE_CHECKS["events"]]}


def test_a_source_never_evaluated_is_left_out_and_named():
    crm = [CheckRef("silver/crm_deals", "row_accounting", True, True), CheckRef("silver/crm_deals", "contract", True,
                                                                               True)]
    events = [CheckRef("silver/events", "row_accounting", False)]
    history = {("silver/crm_deals", "contract"): [evaluation(crm[1], True, "ok", window=None)],
               ("silver/crm_deals", "row_accounting"): [], ("silver/events", "row_accounting"): []}
    listed, left_out = with_sources([SHARE], {"crm": crm, "events": events}, history)
    assert (listed, left_out) == ([SHARE, *crm], ["events"])
    text = markdown_report(RANGE.label, [], {}, left_out=left_out)
    assert "Not listed: the checks of events (never evaluated on this instance" in text


def test_summary_fails_a_check_that_failed_on_any_date_and_names_the_dates():
    summaries = {s.check_name: s for s in summarize(outcomes_for([FX, SHARE, LANDING], EVALUATIONS, RANGE.days))}
    fx = summaries["fx_coverage"]
    assert (fx.passed, fx.dates, fx.evaluated, fx.failed) == (False, 3, 3, 1)
    assert fx.detail == "2024-01-31: 1,805 of 19,700 rows without USD amounts"
    assert summaries["quarantine_share"].detail == "12 of 600 rows quarantined (2.0%)"
    assert summaries["landing_schema"].passed is None


def test_markdown_lists_failures_first_with_a_summary_and_the_chart_inline():
    summaries = summarize(outcomes_for([FX, SHARE, LANDING], EVALUATIONS, RANGE.days))
    png = render_chart(RANGE.days, {(D2, "orders", "bad_type"): 3}, {D1: (2, 2)})
    text = markdown_report(RANGE.label, summaries, {("orders", "bad_type"): 3, ("orders", "other"): 0}, chart=png)
    assert "1 of 2 checks passed (50.0%); 1 not evaluated." in text
    assert "| orders | 3 | bad_type 3 |" in text
    rows = text.split("| table |")[1].splitlines()[2:]
    assert rows[0] == ("| gold/fact_sales | fx_coverage | WARN | **FAILED** (WARN) on 1 of 3 dates | "
                       "2024-01-31: 1,805 of 19,700 rows without USD amounts |")
    assert "| silver/orders | quarantine_share | ERROR, blocking | passed | 12 of 600 rows quarantined (2.0%) |" \
        in rows
    assert "| bronze/orders | landing_schema | ERROR, blocking | not evaluated | not evaluated for these dates |" \
        in rows
    embedded = re.search(r"!\[dq chart\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", text)
    assert embedded and base64.b64decode(embedded.group(1)) == png


def test_detail_of_several_dates_with_their_own_descriptions():
    history = {("silver/orders", "quarantine_share"): [evaluation(SHARE, False, "range", **{BY_DATE: {
        d.isoformat(): {"passed": False, "description": f"day {d.day}"} for d in RANGE.days}})]}
    days = RANGE.days + [D3 + timedelta(days=1)]
    summary, = summarize(outcomes_for([SHARE], history, days))
    assert summary.detail == "2024-01-30: day 30; 2024-01-31: day 31; 2024-02-01: day 1"
    assert (summary.dates, summary.evaluated, summary.failed) == (4, 3, 3)


def test_pass_rate_per_date():
    outcomes = outcomes_for([FX, SHARE, LANDING], EVALUATIONS, RANGE.days)
    assert pass_rates(outcomes) == {D1: (2, 2), D2: (1, 2), D3: (2, 2)}


def test_a_range_write_counts_once_inside_the_window_and_shares_outside_it():
    run1 = Figure("orders", RANGE, "run-1", {"bad_type": 30, "other": 6})
    run2 = Figure("orders", Window(D3, D3 + timedelta(days=1)), "run-2", {"bad_type": 5})
    stores = Figure("stores", Window(D2, D2 + timedelta(days=1)), "run-1", {"missing_value": 1})
    first = {("orders", d): run1 for d in RANGE.days}
    assert totals_over(first, RANGE) == ({("orders", "bad_type"): 30, ("orders", "other"): 6}, False)
    latest = {("orders", D1): run1, ("orders", D2): run1, ("orders", D3): run2, ("stores", D2): stores}
    assert totals_over(latest, Window(D3, D3 + timedelta(days=1))) == ({("orders", "bad_type"): 5}, False)
    assert totals_over(latest, RANGE) == (
        {("orders", "bad_type"): 25, ("orders", "other"): 4, ("stores", "missing_value"): 1}, True)
    per_day, shared = figures_by_day(latest)
    assert per_day[(D1, "orders", "bad_type")] == 10 and per_day[(D3, "orders", "bad_type")] == 5
    assert shared == {D1, D2}


def test_quarantine_values_from_materialization_metadata():
    meta = {"dagster/row_count": 12, "accounting/quarantine.bad_type": 7, "accounting/quarantine.missing_value": 0,
            "accounting/quarantine.out_of_range": 3, "accounting/bronze": 600, "accounting/balanced": True}
    assert quarantine_values(meta) == {"bad_type": 7, "out_of_range": 3, "other": 2}
    assert quarantine_values({"dagster/row_count": 4}) == {"other": 4}


def test_chart_is_a_small_png():
    days = [date(2024, 3, 1) + timedelta(days=i) for i in range(14)]
    png = render_chart(days, {(d, "orders", r): 10 + i for i, d in enumerate(days)
                              for r in ("bad_type", "missing_value", "other")},
                       {d: (90 + i % 5, 98) for i, d in enumerate(days)}, shared={days[0], days[1]})
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and 5_000 < len(png) < 60_000
