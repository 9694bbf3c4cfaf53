"""dim_store (SCD1), dim_date, the dimension catalogue and the key functions (SPEC §4)."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import functions as F

from lakehouse_assets.dimensions import DIMENSIONS, SCD1, SCD2
from lakehouse_assets.transforms.dimensions import build_dimension, date_dimension, scd1_latest
from lakehouse_assets.transforms.keys import UNKNOWN_KEY, surrogate_key

STORE = DIMENSIONS["dim_store"]
STORE_RECORD = (
    "store_id string, store_name string, address string, city string, state string, "
    "country string, manager_name string, opened_on date, updated_at timestamp, "
    "_partition_date date, _source_file string"
)
DAY = dt.date(2024, 1, 1)


def store(sid, name, updated_at, day=DAY, file="f.csv"):
    return (sid, name, "1 Main", "Lyon", None, "FR", "Bo", dt.date(2020, 1, 1), updated_at, day, file)


def test_dimension_catalogue_matches_spec():
    assert {t: (d.id_col, d.sk_col, d.scd_type) for t, d in DIMENSIONS.items()} == {
        "dim_customer": ("customer_id", "customer_sk", SCD2),
        "dim_product": ("product_id", "product_sk", SCD2),
        "dim_store": ("store_id", "store_sk", SCD1),
        "dim_sales_person": ("sales_person_id", "sales_person_sk", SCD2),
    }
    assert DIMENSIONS["dim_customer"].tracked_cols == (
        "first_name", "last_name", "email", "phone", "address", "city", "state", "country",
        "pii_fingerprint",
    )
    assert DIMENSIONS["dim_product"].tracked_cols == (
        "product_name", "category", "unit_cost_usd", "list_price_usd",
    )
    assert DIMENSIONS["dim_sales_person"].tracked_cols == ("full_name", "manager_id", "store_id")


@pytest.fixture(scope="module")
def dim_store(spark):
    """dim_store of three stores (one Spark job), with the expected key beside each row."""
    same_ts = dt.datetime(2024, 1, 1)
    rows = [
        # S1: the latest updated_at wins although it was delivered first.
        store("S1", "new", dt.datetime(2024, 1, 5), day=DAY),
        store("S1", "old", dt.datetime(2024, 1, 1), day=DAY.replace(day=9)),
        store("S2", "only", dt.datetime(2024, 1, 2)),
        # S3: the same updated_at delivered twice: the later delivery wins.
        store("S3", "first", same_ts, file="a.csv"),
        store("S3", "second", same_ts, file="b.csv"),
    ]
    out = build_dimension(STORE, spark.createDataFrame(rows, STORE_RECORD))
    collected = out.select("*", surrogate_key("store_id").alias("expected_sk")).collect()
    return out, {r.store_id: r for r in collected}


def test_scd1_keeps_latest_updated_at_whatever_the_delivery_order(dim_store):
    out, rows = dim_store
    assert out.columns == ["store_sk", *STORE.columns]
    assert {sid: r.store_name for sid, r in rows.items()} == {"S1": "new", "S2": "only", "S3": "second"}
    assert all(r.store_sk == r.expected_sk for r in rows.values())


def test_scd1_latest_defaults_to_non_lineage_columns(spark):
    df = spark.createDataFrame([], STORE_RECORD)
    out = scd1_latest(df, "store_id", "store_sk")
    assert out.columns == ["store_sk", *STORE.columns]


def test_date_dimension_values(spark):
    dates = [dt.date(2024, 3, 31), dt.date(2024, 4, 1), dt.date(2024, 4, 1), None]
    out = date_dimension(spark.createDataFrame([(d,) for d in dates], "date date"))
    assert out.columns == [
        "date_key", "date", "year", "quarter", "month", "day_of_month", "day_of_week", "is_weekend",
    ]
    assert sorted(tuple(r) for r in out.collect()) == [
        (20240331, dt.date(2024, 3, 31), 2024, 1, 3, 31, 7, True),  # a Sunday
        (20240401, dt.date(2024, 4, 1), 2024, 2, 4, 1, 1, False),  # a Monday
    ]
    assert dict(out.dtypes)["date_key"] == "int"


def test_surrogate_key_is_deterministic_positive_and_typed(spark):
    df = spark.createDataFrame(
        [("a|b", "c"), ("a", "b|c"), ("a|b", "c")], "x string, y string"
    ).select(surrogate_key("x", "y").alias("k"), surrogate_key(F.col("x")).alias("k1"))
    keys = [r.k for r in df.collect()]
    assert keys[0] == keys[2] and keys[0] != keys[1]
    assert all(k is not None and k >= 0 and k != UNKNOWN_KEY for k in keys)
    assert dict(df.dtypes)["k"] == "bigint"


def test_surrogate_key_ignores_session_time_zone(spark):
    df = spark.createDataFrame([(dt.datetime(2024, 1, 1, 12, 0),)], "ts timestamp")
    utc = df.select(surrogate_key("ts").alias("k")).first().k
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        other = df.select(surrogate_key("ts").alias("k")).first().k
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    assert other == utc
