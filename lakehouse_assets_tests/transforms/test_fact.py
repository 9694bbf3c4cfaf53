"""gold/fact_sales (SPEC §4): key lookups, FX look-back and USD amounts on hand-made rows.

Every rule is one order line of a shared input; the fact is built once (one Spark
job) and each test asserts on its own line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lakehouse_assets.transforms.fact import (
    FACT_COLUMNS,
    build_fact_sales,
    build_fact_sales_with_flags,
    fact_sales_counts,
)

ORDER = (
    "order_id string, line_number int, order_ts timestamp, customer_id string, store_id string, "
    "sales_person_id string, product_id string, quantity int, unit_price decimal(14,2), "
    "discount_amount decimal(14,2), currency string, payment_method string, order_date date, "
    "net_amount decimal(14,2), _source_file string"
)
SCD2_DIM = "{id} string, {sk} bigint, valid_from timestamp, valid_to timestamp"
T1, T3 = dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 3)
JAN3_NOON = dt.datetime(2024, 1, 3, 12, 0)


def line(order_id, ts, currency="USD", customer="C1", product="P1", store="S1", person="E1",
         qty=2, price="10.00", discount="0.00"):
    net = qty * Decimal(price) - Decimal(discount)
    return (order_id, 1, ts, customer, store, person, product, qty, Decimal(price), Decimal(discount),
            currency, "card", ts.date(), net, "orders.csv")


ORDERS = [
    line("MID", dt.datetime(2024, 1, 2, 12, 0)),          # inside the first versions
    line("AT_VALID_FROM", T3),                             # valid_from is inclusive
    line("BEFORE_FIRST", dt.datetime(2023, 12, 31, 8, 0)),  # before every first version
    line("UNKNOWN", JAN3_NOON, customer="C9", product="P9", store="S9", person="E9"),
    line("LOOKBACK_ROUND", JAN3_NOON, currency="EUR", qty=1, price="10.01"),  # 10.01 * 0.5
    line("SAME_DAY_RATE", dt.datetime(2024, 1, 10, 1, 0), currency="EUR"),
    line("NO_RATE_AT_ALL", JAN3_NOON, currency="GBP"),
    line("ONLY_LATER_RATE", JAN3_NOON, currency="CAD"),
    line("MONTH_END", dt.datetime(2024, 1, 31, 23, 59, 59)),
]
FX = [
    (dt.date(2024, 1, 1), "EUR", Decimal("0.5")), (dt.date(2024, 1, 10), "EUR", Decimal("0.9")),
    (dt.date(2024, 1, 10), "CAD", Decimal("0.75")),
]


@pytest.fixture(scope="module")
def fact_inputs(spark):
    customers = spark.createDataFrame(
        [("C1", 11, T1, T3), ("C1", 12, T3, None)], SCD2_DIM.format(id="customer_id", sk="customer_sk")
    )
    products = spark.createDataFrame(
        [("P1", 21, T1, T3, Decimal("2.00")), ("P1", 22, T3, None, Decimal("3.00"))],
        SCD2_DIM.format(id="product_id", sk="product_sk") + ", unit_cost_usd decimal(14,2)",
    )
    stores = spark.createDataFrame([("S1", 31)], "store_id string, store_sk bigint")
    people = spark.createDataFrame(
        [("E1", 41, T1, None)], SCD2_DIM.format(id="sales_person_id", sk="sales_person_sk")
    )
    fx = spark.createDataFrame(FX, "rate_date date, currency string, usd_per_unit decimal(18,8)")
    order_dates = {order[12] for order in ORDERS}
    return spark.createDataFrame(ORDERS, ORDER), customers, products, stores, people, fx, order_dates


@pytest.fixture(scope="module")
def built(fact_inputs):
    """The fact with its transient flags: the DataFrame and its rows (one Spark job)."""
    df = build_fact_sales_with_flags(*fact_inputs)
    return df, df.collect()


@pytest.fixture(scope="module")
def fact(built):
    """order_id -> fact row (with the transient flags)."""
    rows = built[1]
    assert len(rows) == len(ORDERS)  # the lookups never multiply a line
    return {r.order_id: r for r in rows}


def keys(row):
    return (row.customer_sk, row.product_sk, row.store_sk, row.sales_person_sk)


def test_keys_of_the_versions_valid_at_order_ts(fact):
    assert keys(fact["MID"]) == (11, 21, 31, 41)
    assert keys(fact["AT_VALID_FROM"]) == (12, 22, 31, 41)


def test_order_before_first_version_takes_first_version_and_is_flagged(fact):
    row = fact["BEFORE_FIRST"]
    assert keys(row) == (11, 21, 31, 41)
    flags = (row._before_first_customer_sk, row._before_first_product_sk, row._before_first_sales_person_sk)
    assert flags == (True, True, True)
    assert not fact["MID"]._before_first_customer_sk


def test_unknown_entities_get_minus_one_and_no_cost(fact):
    row = fact["UNKNOWN"]
    assert keys(row) == (-1, -1, -1, -1)
    assert (row.customer_id, row.product_id) == ("C9", "P9")
    assert (row.net_amount_usd, row.cost_usd, row.margin_usd) == (Decimal("20.00"), None, None)


def test_cost_uses_the_product_version_of_the_order(fact):
    assert (fact["MID"].cost_usd, fact["MID"].margin_usd) == (Decimal("4.00"), Decimal("16.00"))
    at_start = fact["AT_VALID_FROM"]
    assert (at_start.cost_usd, at_start.margin_usd) == (Decimal("6.00"), Decimal("14.00"))


def test_usd_rate_is_one(fact):
    assert (fact["MID"].fx_rate, fact["MID"].net_amount_usd) == (Decimal("1.00000000"), Decimal("20.00"))


def test_missing_fx_looks_back_to_latest_earlier_rate_and_rounds_half_up(fact):
    row = fact["LOOKBACK_ROUND"]
    assert row.fx_rate == Decimal("0.50000000")  # 01-01, not the later 01-10 rate
    assert row.net_amount_usd == Decimal("5.01")  # 10.01 * 0.5 = 5.005 -> HALF_UP
    assert row.margin_usd == Decimal("2.01")  # minus cost 1 x 3.00 of version 22
    assert fact["SAME_DAY_RATE"].fx_rate == Decimal("0.90000000")


def test_no_rate_on_or_before_the_order_date_gives_null_usd_amounts(fact):
    for order_id in ("NO_RATE_AT_ALL", "ONLY_LATER_RATE"):
        row = fact[order_id]
        assert (row.fx_rate, row.net_amount_usd, row.margin_usd) == (None, None, None)
        assert row.cost_usd == Decimal("6.00")


def test_rates_are_resolved_for_the_days_given_only(fact_inputs):
    """The fact is built for the days its orders were read for: a EUR line of another
    day gets no rate (and the fx_coverage check counts it); USD stays 1."""
    *frames, _ = fact_inputs
    eur_day = dt.date(2024, 1, 10)
    rows = {r.order_id: r for r in build_fact_sales(*frames, [eur_day]).collect()}
    assert rows["SAME_DAY_RATE"].fx_rate == Decimal("0.90000000")
    assert rows["LOOKBACK_ROUND"].fx_rate is None  # 01-03: not a day given
    assert rows["MID"].fx_rate == Decimal("1.00000000")


def test_date_key_and_order_date_at_month_end(fact):
    row = fact["MONTH_END"]
    assert (row.order_date, row.date_key) == (dt.date(2024, 1, 31), 20240131)


def test_fact_columns_and_types(fact_inputs):
    out = build_fact_sales(*fact_inputs)
    assert tuple(out.columns) == FACT_COLUMNS
    types = dict(out.dtypes)
    assert types["fx_rate"] == "decimal(18,8)" and types["customer_sk"] == "bigint"
    assert {types[c] for c in ("net_amount_usd", "cost_usd", "margin_usd", "net_amount")} == {"decimal(14,2)"}
    assert (types["date_key"], types["order_date"]) == ("int", "date")


def test_counts_in_one_pass(spark, built):
    # The same rows, re-read from memory: the count is one aggregation over them.
    df, rows = built
    counts = fact_sales_counts(spark.createDataFrame(rows, df.schema))
    assert counts == {
        "rows": len(ORDERS),
        "unknown_customer_sk": 1, "unknown_product_sk": 1,
        "unknown_store_sk": 1, "unknown_sales_person_sk": 1,
        "null_fx_rate": 2,
        "before_first_customer_sk": 1, "before_first_product_sk": 1, "before_first_sales_person_sk": 1,
    }
