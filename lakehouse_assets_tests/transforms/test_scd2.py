"""SCD2 rule of SPEC §4 on tiny change-record sets: versions depend only on the set of records.

SCD2 works per entity, so every scenario is one product id of a shared record set
that is built once (one Spark job); each test asserts on its own entity.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from functools import reduce

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.dimensions import DIMENSIONS
from lakehouse_assets.transforms.dimensions import build_dimension
from lakehouse_assets.transforms.keys import surrogate_key
from lakehouse_assets.transforms.scd2 import scd2_versions

PRODUCT = DIMENSIONS["dim_product"]
CUSTOMER = DIMENSIONS["dim_customer"]
PRODUCT_RECORD = (
    "product_id string, product_name string, category string, unit_cost_usd decimal(14,2), "
    "list_price_usd decimal(14,2), updated_at timestamp, _partition_date date, _source_file string"
)
DAY1, DAY2, DAY3 = (dt.date(2024, 1, d) for d in (1, 2, 3))
T1, T2, T3, T4 = (dt.datetime(2024, 1, d, 9, 0) for d in (1, 2, 3, 4))


def product(pid, name, updated_at, cost="1.00", day=DAY1, file="f.csv"):
    return (pid, name, "Toys", Decimal(cost), Decimal("2.00"), updated_at, day, file)


RECORDS = [
    # P_CHANGE: a repeat of the same attributes is no new version.
    product("P_CHANGE", "A", T1), product("P_CHANGE", "A", T2), product("P_CHANGE", "B", T3),
    # P_BACK: A -> B -> B -> A gives three versions, the last one current.
    product("P_BACK", "A", T1), product("P_BACK", "B", T2), product("P_BACK", "B", T3),
    product("P_BACK", "A", T4),
    # P_RESENT: the identical record re-sent on a later day.
    product("P_RESENT", "A", T1, file="a.csv"), product("P_RESENT", "A", T1, day=DAY3, file="b.csv"),
    # P_REDELIVERED: same (id, updated_at), different values: the later delivery wins.
    product("P_REDELIVERED", "old", T1, day=DAY1, file="z.csv"),
    product("P_REDELIVERED", "new", T1, day=DAY2, file="a.csv"),
    # P_LATE: C arrived late (day 3) with an updated_at inside version A's interval.
    product("P_LATE", "A", T1), product("P_LATE", "B", T3), product("P_LATE", "C", T2, day=DAY3),
    # P_NULL: null -> null is no change, null -> value is.
    product("P_NULL", None, T1), product("P_NULL", None, T2), product("P_NULL", "A", T3),
    # P_COST: only a decimal attribute changes.
    product("P_COST", "A", T1, cost="1.00"), product("P_COST", "A", T2, cost="1.10"),
]


def build(spark, rows) -> DataFrame:
    return build_dimension(PRODUCT, spark.createDataFrame(rows, PRODUCT_RECORD))


@pytest.fixture(scope="module")
def dim(spark):
    """The built versions, with the key recomputed from (id, valid_from) to compare."""
    out = build(spark, RECORDS)
    rows = out.select("*", surrogate_key("product_id", "valid_from").alias("expected_sk")).collect()
    return out, rows


def versions(rows, pid):
    """(name, valid_from, valid_to, is_current) of one entity, by valid_from."""
    mine = [r for r in rows if r.product_id == pid]
    mine.sort(key=lambda r: r.valid_from)
    return [(r.product_name, r.valid_from, r.valid_to, r.is_current) for r in mine]


def test_version_starts_only_when_tracked_attributes_change(dim):
    assert versions(dim[1], "P_CHANGE") == [("A", T1, T3, False), ("B", T3, None, True)]


def test_changing_back_starts_a_new_version(dim):
    assert versions(dim[1], "P_BACK") == [("A", T1, T2, False), ("B", T2, T4, False), ("A", T4, None, True)]


def test_identical_resent_record_adds_no_version(dim):
    assert versions(dim[1], "P_RESENT") == [("A", T1, None, True)]


def test_same_key_redelivered_latest_delivery_wins(dim):
    assert versions(dim[1], "P_REDELIVERED") == [("new", T1, None, True)]


def test_late_record_inside_a_version_splits_it(dim):
    assert versions(dim[1], "P_LATE") == [("A", T1, T2, False), ("C", T2, T3, False), ("B", T3, None, True)]


def test_null_safe_comparison_of_tracked_attributes(dim):
    assert versions(dim[1], "P_NULL") == [(None, T1, T3, False), ("A", T3, None, True)]


def test_decimal_attribute_change_starts_a_version(dim):
    costs = [r.unit_cost_usd for r in sorted(dim[1], key=lambda r: r.valid_from) if r.product_id == "P_COST"]
    assert costs == [Decimal("1.00"), Decimal("1.10")]


def test_version_carries_its_first_record_and_key_of_id_and_valid_from(dim):
    for row in dim[1]:
        assert row.updated_at == row.valid_from
        assert row.product_sk == row.expected_sk and row.product_sk > 0


def test_output_is_sk_source_columns_then_validity(dim):
    out = dim[0]
    assert out.columns == ["product_sk", *PRODUCT.columns, "valid_from", "valid_to", "is_current"]
    types = dict(out.dtypes)
    assert (types["product_sk"], types["valid_to"], types["is_current"]) == ("bigint", "timestamp", "boolean")


def test_input_order_does_not_change_the_result(spark, dim):
    shuffled = RECORDS[:]
    random.Random(7).shuffle(shuffled)
    # Both permutations in one Spark job, tagged, each compared with the fixture's build.
    orders = (RECORDS[::-1], shuffled)
    builds = [build(spark, rows).withColumn("perm", F.lit(i)) for i, rows in enumerate(orders)]
    rows = reduce(DataFrame.unionByName, builds).collect()
    expected = sorted(tuple(r)[:-1] for r in dim[1])  # without expected_sk
    for perm in range(len(orders)):
        assert sorted(tuple(r)[:-1] for r in rows if r.perm == perm) == expected


def test_untracked_joined_on_does_not_start_a_version(spark):
    schema = ", ".join(
        [f"{c} string" for c in CUSTOMER.columns[:-3]]
        + ["joined_on date", "updated_at timestamp", "pii_fingerprint string",
           "_partition_date date", "_source_file string"]
    )
    base = ["C1", "Ann", "Lee", "a@x", "1", "St", "Paris", None, "FR"]
    rows = [(*base, dt.date(2020, 1, 1), T1, "fp", DAY1, "f"), (*base, dt.date(2021, 1, 1), T2, "fp", DAY2, "f")]
    out = build_dimension(CUSTOMER, spark.createDataFrame(rows, schema)).collect()
    assert [(r.joined_on, r.valid_from, r.valid_to) for r in out] == [(dt.date(2020, 1, 1), T1, None)]


def test_scd2_versions_defaults_to_non_lineage_columns(spark):
    schema = "k string, v string, updated_at timestamp, _source_file string"
    df = spark.createDataFrame([("K", "v", T1, "x.csv")], schema)
    out = scd2_versions(df, "k", ["v"], "k_sk")
    assert out.columns == ["k_sk", "k", "v", "updated_at", "valid_from", "valid_to", "is_current"]
