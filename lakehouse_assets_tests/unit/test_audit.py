"""Write-audit-publish helpers: per-date outcomes and which failures block a write (no JVM)."""

from __future__ import annotations

from datetime import date

from dagster import AssetCheckSeverity, AssetKey

from lakehouse_assets.checks.audit import BY_DATE, dated_results, failed_blocking, with_by_date
from lakehouse_assets.checks.metrics import DatedMetrics, TableMetrics
from lakehouse_assets.checks.results import result
from lakehouse_assets.checks.targets import Target

KEY = AssetKey(["silver", "orders"])
TARGET = Target(KEY, checks=("not_null", "value_ranges"), blocking=frozenset({"not_null"}))
D1, D2 = date(2024, 3, 1), date(2024, 3, 2)


def rows_at_least_one(metrics: TableMetrics, base):
    """A builder: fails a table (or a date) without rows."""
    yield result(KEY, "not_null", metrics.rows > 0, f"{metrics.rows} rows", dict(base))


def test_each_date_gets_its_own_outcome():
    dated = DatedMetrics(TableMetrics("orders", 5), {D1: TableMetrics("orders", 5), D2: TableMetrics("orders", 0)})
    [checked] = dated_results(rows_at_least_one, dated, {"dq/scope": "dates"})
    assert checked.passed and checked.description == "5 rows"
    assert checked.metadata[BY_DATE].data == {
        "2024-03-01": {"passed": True, "description": "5 rows"},
        "2024-03-02": {"passed": False, "description": "0 rows"},
    }


def test_a_single_date_has_no_by_date_breakdown():
    dated = DatedMetrics(TableMetrics("orders", 5), {D1: TableMetrics("orders", 5)})
    [checked] = dated_results(rows_at_least_one, dated, {})
    assert BY_DATE not in checked.metadata
    assert with_by_date(checked, {}) is checked


def test_only_failed_blocking_error_checks_of_the_target_block():
    failed = result(KEY, "not_null", False, "2 nulls", {})
    warned = result(KEY, "value_ranges", False, "1 out of range", {})
    other_table = result(AssetKey(["silver", "stores"]), "not_null", False, "1 null", {})
    assert failed.severity == AssetCheckSeverity.ERROR
    assert failed_blocking([failed, warned, other_table], TARGET) == ["not_null"]
    assert failed_blocking([warned, other_table, result(KEY, "not_null", True, "ok", {})], TARGET) == []
