"""The gold marts (SPEC §4) on hand-made fact rows: one Spark job per mart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lakehouse_assets.transforms.marts import (
    category_monthly_revenue,
    customer_lifetime_value,
    customer_monthly_sales,
    sales_team_monthly,
)

FACT = (
    "order_date date, order_id string, order_ts timestamp, customer_id string, store_id string, "
    "sales_person_id string, product_sk bigint, quantity int, net_amount_usd decimal(14,2)"
)
JAN, FEB = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
JAN31_LAST_SECOND = dt.datetime(2024, 1, 31, 23, 59, 59)
FEB1_MIDNIGHT = dt.datetime(2024, 2, 1, 0, 0, 0)
D = Decimal


def fact(spark, rows):
    """Fact rows from (order_id, order_ts, customer, store, person, product_sk, qty, net)."""
    data = [
        (ts.date(), oid, ts, cust, store, person, sk, qty, None if net is None else D(net))
        for oid, ts, cust, store, person, sk, qty, net in rows
    ]
    return spark.createDataFrame(data, FACT)


def test_customer_monthly_sales_splits_at_the_month_boundary(spark):
    rows = [
        ("O1", JAN31_LAST_SECOND, "C1", "S1", "E1", 21, 1, "10.00"),
        ("O1", JAN31_LAST_SECOND, "C1", "S1", "E1", 21, 2, "5.00"),  # same order, second line
        ("O2", FEB1_MIDNIGHT, "C1", "S1", "E1", 21, 1, "7.00"),
        ("O3", dt.datetime(2024, 2, 10, 8), "C1", "S1", "E1", 21, 1, None),  # no FX: left out of the sum
        ("O4", dt.datetime(2024, 2, 11, 8), "C2", "S1", "E1", 21, 1, None),
    ]
    out = customer_monthly_sales(fact(spark, rows))
    assert out.columns == [
        "month", "customer_id", "orders_count", "units", "total_net_usd", "first_order_ts", "last_order_ts",
    ]
    assert dict(out.dtypes)["total_net_usd"] == "decimal(16,2)"
    assert sorted(tuple(r) for r in out.collect()) == [
        (JAN, "C1", 1, 3, D("15.00"), JAN31_LAST_SECOND, JAN31_LAST_SECOND),
        (FEB, "C1", 2, 2, D("7.00"), FEB1_MIDNIGHT, dt.datetime(2024, 2, 10, 8)),
        (FEB, "C2", 1, 1, None, dt.datetime(2024, 2, 11, 8), dt.datetime(2024, 2, 11, 8)),
    ]


def test_sales_team_rank_ties_and_incentive(spark):
    ts = dt.datetime(2024, 1, 15, 10)
    rows = [
        ("O1", ts, "C1", "S1", "E2", 21, 1, "100.50"),
        ("O2", ts, "C1", "S1", "E1", 21, 1, "100.00"),
        ("O3", ts, "C1", "S1", "E1", 21, 1, "0.50"),  # E1 ties E2 at 100.50: lower id wins
        ("O4", ts, "C1", "S1", "E3", 21, 1, None),  # null total ranks last
        ("O5", ts, "C1", "S2", "E2", 21, 1, "1.00"),  # the order's store, not E2's home store
        ("O6", ts, "C1", "S3", "E4", 21, 1, None),  # a top performer with a null total
    ]
    out = sales_team_monthly(fact(spark, rows), incentive_rate=D("0.01"))
    assert out.columns == [
        "month", "store_id", "sales_person_id", "orders_count", "total_net_usd",
        "rank_in_store", "is_top_performer", "incentive_usd",
    ]
    assert dict(out.dtypes)["rank_in_store"] == "int"
    assert sorted(tuple(r) for r in out.collect()) == [
        (JAN, "S1", "E1", 2, D("100.50"), 1, True, D("1.01")),  # 1.005 rounds HALF_UP
        (JAN, "S1", "E2", 1, D("100.50"), 2, False, D("0.00")),
        (JAN, "S1", "E3", 1, None, 3, False, D("0.00")),
        (JAN, "S2", "E2", 1, D("1.00"), 1, True, D("0.01")),
        (JAN, "S3", "E4", 1, None, 1, True, D("0.00")),
    ]


def test_category_of_the_product_version_in_the_fact(spark):
    dim_product = spark.createDataFrame(
        [(21, "P1", "Toys"), (22, "P1", "Games")], "product_sk bigint, product_id string, category string"
    )
    jan, feb = dt.datetime(2024, 1, 5), dt.datetime(2024, 2, 5)
    rows = [
        ("O1", jan, "C1", "S1", "E1", 21, 1, "10.00"),
        ("O1", jan, "C1", "S1", "E1", 22, 2, "5.00"),  # the same product, a later version
        ("O2", jan, "C2", "S1", "E1", 21, 1, "1.00"),
        ("O3", jan, "C2", "S1", "E1", -1, 1, "3.00"),  # unknown product
        ("O4", feb, "C1", "S1", "E1", 21, 1, None),
    ]
    out = category_monthly_revenue(fact(spark, rows), dim_product)
    assert out.columns == ["month", "category", "revenue_usd", "units", "orders_count", "unique_customers"]
    assert dict(out.dtypes)["revenue_usd"] == "decimal(14,2)"
    assert sorted(tuple(r) for r in out.collect()) == [
        (JAN, "Games", D("5.00"), 2, 1, 1),
        (JAN, "Toys", D("11.00"), 2, 2, 2),
        (JAN, "UNKNOWN", D("3.00"), 1, 1, 1),
        (FEB, "Toys", None, 1, 1, 1),
    ]


def test_customer_lifetime_value_segments_and_average(spark):
    day1, day9 = dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 3, 9, 9)
    rows = [
        ("V1", day1, "C_VIP", "S1", "E1", 21, 1, "5000.00"),
        ("V2", day9, "C_VIP", "S1", "E1", 21, 1, "5000.01"),  # avg 5000.005 -> 5000.01
        ("H1", day1, "C_HIGH", "S1", "E1", 21, 1, "10000.00"),  # not > 10000
        ("M1", day1, "C_MED", "S1", "E1", 21, 1, "1000.01"),
        ("L1", day1, "C_LOW", "S1", "E1", 21, 1, "1000.00"),
        ("N1", day1, "C_NULL", "S1", "E1", 21, 1, None),
    ]
    out = customer_lifetime_value(fact(spark, rows))
    assert out.columns == [
        "customer_id", "total_spent_usd", "orders_count", "avg_order_value_usd",
        "first_order_date", "last_order_date", "segment",
    ]
    types = dict(out.dtypes)
    assert (types["total_spent_usd"], types["avg_order_value_usd"]) == ("decimal(16,2)", "decimal(14,2)")
    got = {r.customer_id: tuple(r)[1:] for r in out.collect()}
    jan1, mar9 = day1.date(), day9.date()
    assert got == {
        "C_VIP": (D("10000.01"), 2, D("5000.01"), jan1, mar9, "VIP"),
        "C_HIGH": (D("10000.00"), 1, D("10000.00"), jan1, jan1, "High Value"),
        "C_MED": (D("1000.01"), 1, D("1000.01"), jan1, jan1, "Medium Value"),
        "C_LOW": (D("1000.00"), 1, D("1000.00"), jan1, jan1, "Low Value"),
        "C_NULL": (None, 1, None, jan1, jan1, "Low Value"),
    }
