"""The check results from measured figures, without Spark: each check passes on good
figures and fails on purpose-built bad ones, naming what is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dagster import AssetCheckSeverity, AssetKey

from lakehouse_assets.checks.accounting import (
    Accounting,
    landed_before_read,
    quarantine_share_result,
    row_accounting_result,
)
from lakehouse_assets.checks.config import QuarantineShare, VolumeAnomaly
from lakehouse_assets.checks.fact import (
    NULL_USD,
    freshness_result,
    fx_coverage_result,
    referential_integrity_result,
    volume_anomaly_result,
)
from lakehouse_assets.checks.metrics import NOT_NULL, UNIQUE_KEY, VALUE_RANGES, Outcome, TableMetrics
from lakehouse_assets.checks.results import contract_results
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.resources.landing import LandingFile

KEY = AssetKey(["silver", "orders"])
ALL = {"contract", UNIQUE_KEY, NOT_NULL, VALUE_RANGES}


def by_name(results):
    return {r.check_name: r for r in results}


def clean_metrics() -> TableMetrics:
    return TableMetrics("silver/orders", 10, outcomes=[
        Outcome(NOT_NULL, "not_null", ("order_id",), 0),
        Outcome(VALUE_RANGES, "greater_than_or_equal_to(1)", ("quantity",), 0),
        Outcome(UNIQUE_KEY, "unique(order_id, line_number)", ("order_id", "line_number"), 0),
    ])


def test_contract_checks_pass_on_clean_metrics():
    results = by_name(contract_results(KEY, clean_metrics(), ALL))
    assert set(results) == ALL
    assert all(r.passed and r.severity == AssetCheckSeverity.ERROR for r in results.values())


def test_contract_checks_fail_naming_the_offending_columns():
    metrics = TableMetrics("silver/orders", 10, structure=["net_amount: double, contract says decimal(14,2)"],
                           outcomes=[Outcome(NOT_NULL, "not_null", ("order_id",), 2),
                                     Outcome(VALUE_RANGES, "greater_than_or_equal_to(1)", ("quantity",), 3),
                                     Outcome(UNIQUE_KEY, "unique(order_id, line_number)",
                                             ("order_id", "line_number"), 1)],
                           skipped=["net_amount_formula"])
    results = by_name(contract_results(KEY, metrics, ALL))
    assert not any(r.passed for r in results.values())
    assert "net_amount" in results["contract"].description
    assert results["contract"].metadata["offending_columns"].value == "net_amount"
    assert "order_id: not_null (2 rows)" in results[NOT_NULL].description
    assert results[VALUE_RANGES].metadata["offending_columns"].value == "quantity"
    assert "order_id, line_number" in results[UNIQUE_KEY].description


def test_a_skipped_table_rule_fails_value_ranges():
    metrics = clean_metrics()
    metrics.structure, metrics.skipped = ["x: missing"], ["net_amount_formula"]
    result = by_name(contract_results(KEY, metrics, {VALUE_RANGES}))[VALUE_RANGES]
    assert not result.passed and result.metadata["not_evaluated"].value == "net_amount_formula"


def test_only_selected_checks_are_reported():
    assert set(by_name(contract_results(KEY, clean_metrics(), {NOT_NULL}))) == {NOT_NULL}


def test_row_accounting_balances_and_catches_each_break():
    good = Accounting(landed=100, landed_files=2, bronze=100, silver=80, quarantine=15, duplicates=5)
    assert row_accounting_result(KEY, good, {}).passed
    lost_line = Accounting(101, 2, 100, 80, 15, 5)
    assert "landed data lines 101 != bronze rows 100" in row_accounting_result(KEY, lost_line, {}).description
    lost_row = Accounting(100, 2, 100, 79, 15, 5)
    assert not row_accounting_result(KEY, lost_row, {}).passed
    derived = Accounting(100, 2, 100, 80, 15, None)
    result = row_accounting_result(KEY, derived, {})
    assert result.passed and result.metadata["duplicates"].value == 5
    too_many = Accounting(100, 2, 100, 90, 15, None)
    assert "exceed bronze" in row_accounting_result(KEY, too_many, {}).description


def landing_file(name: str, minute: int) -> LandingFile:
    return LandingFile(f"/l/orders/date=2024-03-05/{name}", "orders", date(2024, 3, 5), 10,
                       datetime(2024, 3, 6, 2, minute, tzinfo=UTC), "csv")


def test_files_landed_after_bronze_read_the_folder_are_not_counted():
    day, read_at = date(2024, 3, 5), datetime(2024, 3, 6, 2, 0)
    files = [(landing_file("a.csv", 0), 7), (landing_file("late.csv", 5), 3)]
    assert landed_before_read(files, {day: read_at}) == (7, 1, ["/l/orders/date=2024-03-05/late.csv"])
    assert landed_before_read(files, {}) == (10, 2, [])  # nothing read yet: every file counts
    result = row_accounting_result(KEY, Accounting(7, 1, 7, 7, 0, 0, ["/l/late.csv"]), {})
    assert result.passed and "1 file(s) landed after bronze read the folder" in result.description


def test_quarantine_share_judges_only_enough_rows():
    limits = QuarantineShare(max_share=0.25, min_rows=50)
    assert quarantine_share_result(KEY, 100, 25, {"bad_type": 25}, limits, {}).passed
    failed = quarantine_share_result(KEY, 100, 60, {"bad_type": 60}, limits, {})
    assert not failed.passed and failed.severity == AssetCheckSeverity.ERROR
    assert failed.metadata["by_reason"].value == {"bad_type": 60}
    assert quarantine_share_result(KEY, 20, 15, {}, limits, {}).passed  # too few rows to judge


FACT = AssetKey(["gold", "fact_sales"])


def test_referential_integrity_names_the_dimension_over_threshold():
    extra = {"unknown_customer_sk": 20, "unknown_product_sk": 1, "unknown_store_sk": 0, "unknown_sales_person_sk": 0}
    failed = referential_integrity_result(FACT, 100, extra, 0.05, {})
    assert not failed.passed and failed.severity == AssetCheckSeverity.WARN
    assert failed.metadata["offending_columns"].value == "customer_sk"
    assert referential_integrity_result(FACT, 100, {**extra, "unknown_customer_sk": 5}, 0.05, {}).passed


def test_fx_coverage_share_of_rows_without_usd():
    assert fx_coverage_result(FACT, 100, {NULL_USD: 2}, 0.02, {}).passed
    failed = fx_coverage_result(FACT, 100, {NULL_USD: 3}, 0.02, {})
    assert not failed.passed and failed.severity == AssetCheckSeverity.WARN


def test_freshness_is_the_newest_partitions_age():
    counts = {date(2024, 3, 1): 10, date(2024, 3, 4): 12, date(2024, 3, 5): 0}
    assert freshness_result(FACT, counts, date(2024, 3, 6), 2, {}).passed
    stale = freshness_result(FACT, counts, date(2024, 3, 7), 2, {})
    assert not stale.passed and stale.metadata["newest_partition"].value == "2024-03-04"
    assert not freshness_result(FACT, {}, date(2024, 3, 7), 2, {}).passed


def _history(last: date, days: int, rows: int) -> dict:
    return {last - timedelta(days=i): rows + (i % 3) * 10 for i in range(1, days + 1)}


def test_volume_anomaly_flags_a_day_far_from_the_month_before():
    day, limits = date(2024, 3, 31), VolumeAnomaly(lookback_days=30, min_history_days=7, max_abs_z=3.0)
    window = Window(day, day + timedelta(days=1))
    normal = {**_history(day, 30, 1000), day: 1015}
    assert volume_anomaly_result(FACT, window, normal, limits, {}).passed
    collapsed = {**_history(day, 30, 1000), day: 200}
    result = volume_anomaly_result(FACT, window, collapsed, limits, {})
    assert not result.passed and result.severity == AssetCheckSeverity.WARN and "2024-03-31" in result.description
    flat = {**{day - timedelta(days=i): 1000 for i in range(1, 31)}, day: 1003}
    assert volume_anomaly_result(FACT, window, flat, limits, {}).passed  # noise floor: sqrt(mean)


def test_volume_anomaly_needs_history():
    day = date(2024, 3, 31)
    few = {**_history(day, 3, 1000), day: 5}
    result = volume_anomaly_result(FACT, Window(day, day + timedelta(days=1)), few, VolumeAnomaly(), {})
    assert result.passed and "not judged" in result.description
