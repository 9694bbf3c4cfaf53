"""SPEC §3: one test per rule, the first failing rule wins, duplicates and accounting."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from lakehouse_assets.sources import CUSTOMERS, DEFAULT_CURRENCIES, FX_RATES, ORDERS, PRODUCTS
from lakehouse_assets.transforms.conform import quarantine_rows, silver_rows
from lakehouse_assets.transforms.validation import accounting, classify
from lakehouse_assets_tests.builders import bronze_frame, valid_order


def outcome_of(spark, source, row):
    result = classify(bronze_frame(spark, source, [row]), source, DEFAULT_CURRENCIES).collect()[0]
    return result["_outcome"], result["reason"], result["reason_detail"]


def test_valid_order_goes_to_silver_typed(spark):
    classified = classify(bronze_frame(spark, ORDERS, [valid_order()]), ORDERS, DEFAULT_CURRENCIES)
    row = silver_rows(classified, ORDERS).collect()[0]
    assert row["quantity"] == 2 and row["line_number"] == 1
    assert row["unit_price"] == Decimal("10.00")
    assert row["net_amount"] == Decimal("19.00")
    assert row["order_ts"] == datetime(2024, 3, 1, 10, 0, 0)
    assert str(row["order_date"]) == "2024-03-01"


def test_malformed_row_is_first_reason(spark):
    row = valid_order(quantity="", _raw_line="O1,1,broken", _parse_error="expected 12 fields")
    assert outcome_of(spark, ORDERS, row) == ("quarantine", "malformed_row", "expected 12 fields")


@pytest.mark.parametrize("column", ORDERS.required)
def test_missing_required_order_column(spark, column):
    assert outcome_of(spark, ORDERS, valid_order(**{column: None})) == ("quarantine", "missing_value", column)


def test_optional_order_columns_default(spark):
    classified = classify(
        bronze_frame(spark, ORDERS, [valid_order(discount_amount=None, payment_method=None)]),
        ORDERS, DEFAULT_CURRENCIES,
    )
    row = silver_rows(classified, ORDERS).collect()[0]
    assert row["discount_amount"] == Decimal("0.00") and row["payment_method"] is None
    assert row["net_amount"] == Decimal("20.00")


@pytest.mark.parametrize("column, value", [
    ("line_number", "1.5"), ("quantity", "abc"), ("quantity", "99999999999"),
    ("order_ts", "2024-03-01"), ("order_ts", "2024-02-30 10:00:00"), ("unit_price", "12,5x"),
    ("discount_amount", "one"), ("currency", "usd"), ("currency", "EURO"),
])
def test_bad_type(spark, column, value):
    assert outcome_of(spark, ORDERS, valid_order(**{column: value})) == ("quarantine", "bad_type", column)


def test_missing_beats_bad_type(spark):
    row = valid_order(quantity="abc", customer_id=None)
    assert outcome_of(spark, ORDERS, row)[1:] == ("missing_value", "customer_id")


@pytest.mark.parametrize("overrides, column", [
    ({"line_number": "0"}, "line_number"),
    ({"quantity": "0"}, "quantity"),
    ({"unit_price": "-0.01"}, "unit_price"),
    ({"discount_amount": "-1"}, "discount_amount"),
    ({"discount_amount": "20.01"}, "discount_amount"),
])
def test_out_of_range_orders(spark, overrides, column):
    assert outcome_of(spark, ORDERS, valid_order(**overrides)) == ("quarantine", "out_of_range", column)


def test_discount_equal_to_gross_is_valid(spark):
    assert outcome_of(spark, ORDERS, valid_order(discount_amount="20.00"))[0] == "silver"


def test_out_of_range_products_and_fx(spark):
    product = {"product_id": "PR1", "product_name": "x", "category": "c", "unit_cost_usd": "-1",
               "list_price_usd": "2", "updated_at": "2024-03-01 00:00:00"}
    assert outcome_of(spark, PRODUCTS, product)[1:] == ("out_of_range", "unit_cost_usd")
    fx = {"rate_date": "2024-03-01", "currency": "EUR", "usd_per_unit": "0"}
    assert outcome_of(spark, FX_RATES, fx)[1:] == ("out_of_range", "usd_per_unit")


def test_wrong_partition(spark):
    assert outcome_of(spark, ORDERS, valid_order(order_ts="2024-03-02 00:00:00"))[1:] == (
        "wrong_partition", "order_ts")
    fx = {"rate_date": "2024-02-29", "currency": "EUR", "usd_per_unit": "1.1"}
    assert outcome_of(spark, FX_RATES, fx)[1:] == ("wrong_partition", "rate_date")


def test_unknown_currency_is_last_rule(spark):
    assert outcome_of(spark, ORDERS, valid_order(currency="XYZ"))[1:] == ("unknown_currency", "currency")
    # A row failing an earlier rule reports that one.
    assert outcome_of(spark, ORDERS, valid_order(currency="XYZ", quantity="0"))[1] == "out_of_range"
    restricted = classify(bronze_frame(spark, ORDERS, [valid_order(currency="EUR")]), ORDERS, ["USD"])
    assert restricted.collect()[0]["reason"] == "unknown_currency"


def test_master_data_required_columns(spark):
    customer = {c: None for c in CUSTOMERS.columns} | {"customer_id": "C1"}
    assert outcome_of(spark, CUSTOMERS, customer)[1:] == ("missing_value", "updated_at")
    customer["updated_at"] = "2024-03-01 08:00:00"
    assert outcome_of(spark, CUSTOMERS, customer)[0] == "silver"


def test_duplicates_keep_most_recently_ingested(spark):
    rows = [
        valid_order(quantity="1", _file_modified_at=datetime(2024, 3, 1, 9)),
        valid_order(quantity="3", _file_modified_at=datetime(2024, 3, 1, 12), _source_file="/l/late.csv"),
        valid_order(quantity="2", _file_modified_at=datetime(2024, 3, 1, 10), _source_file="/l/mid.csv"),
        valid_order(quantity="abc", _file_modified_at=datetime(2024, 3, 1, 13)),
    ]
    classified = classify(bronze_frame(spark, ORDERS, rows), ORDERS, DEFAULT_CURRENCIES)
    kept = silver_rows(classified, ORDERS).collect()
    assert [r["quantity"] for r in kept] == [3]
    counts = accounting(classified)
    assert (counts["bronze"], counts["silver"], counts["quarantine"], counts["duplicate"]) == (4, 1, 1, 2)
    assert counts["quarantine.bad_type"] == 1


def test_redelivered_file_lines_are_duplicates_not_quarantine(spark):
    original = [valid_order(), valid_order(order_id="O2", quantity="x")]
    copy = [dict(r, _source_file="/l/copy.csv", _duplicate_of="/landing/f.csv") for r in original]
    classified = classify(bronze_frame(spark, ORDERS, original + copy), ORDERS, DEFAULT_CURRENCIES)
    counts = accounting(classified)
    assert (counts["silver"], counts["quarantine"], counts["duplicate"]) == (1, 1, 2)
    assert quarantine_rows(classified, ORDERS).count() == 1


def test_quarantine_keeps_raw_values_and_lineage(spark):
    classified = classify(bronze_frame(spark, ORDERS, [valid_order(quantity="abc")]), ORDERS, DEFAULT_CURRENCIES)
    row = quarantine_rows(classified, ORDERS).collect()[0]
    assert row["quantity"] == "abc" and row["reason"] == "bad_type" and row["reason_detail"] == "quantity"
    assert row["_source_file"] == "/landing/f.csv" and row["_run_id"] == "run"


def test_fx_usd_is_always_one(spark):
    fx = {"rate_date": "2024-03-01", "currency": "USD", "usd_per_unit": "2"}
    classified = classify(bronze_frame(spark, FX_RATES, [fx]), FX_RATES, DEFAULT_CURRENCIES)
    assert silver_rows(classified, FX_RATES).collect()[0]["usd_per_unit"] == Decimal("1.00000000")
