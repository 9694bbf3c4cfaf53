"""One pass over a table against its contract: rule outcomes from a single Spark job,
failures on purpose-built bad rows, and the same verdicts as pandera's own validation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandera.pyspark as pa
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.checks.metrics import NOT_NULL, UNIQUE_KEY, VALUE_RANGES, compile_rules, measure
from lakehouse_assets.contracts import CONTRACTS, contract_for
from lakehouse_assets.contracts.base import aggregate_rule, contract, field, row_rule, spark_type


def frame_of(spark, schema, rows: list[dict]):
    struct = T.StructType([T.StructField(n, spark_type(c) or T.StringType(), True) for n, c in schema.columns.items()])
    return spark.createDataFrame([tuple(r.get(n) for n in schema.columns) for r in rows], struct)


def order(**overrides) -> dict:
    row = {"order_id": "O1", "line_number": 1, "order_ts": datetime(2024, 3, 5, 10), "customer_id": "C1",
           "store_id": "S1", "sales_person_id": "P1", "product_id": "PR1", "quantity": 2,
           "unit_price": Decimal("10.00"), "discount_amount": Decimal("1.00"), "currency": "EUR",
           "payment_method": "card", "order_date": date(2024, 3, 5), "net_amount": Decimal("19.00"),
           "_source_file": "/landing/orders.csv", "_file_modified_at": datetime(2024, 3, 5),
           "_ingested_at": datetime(2024, 3, 6), "_run_id": "run"}
    row.update(overrides)
    return row


ORDERS = contract_for(["silver", "orders"])


def failing(metrics, check):
    return {(o.name, o.columns): o.violations for o in metrics.failures(check)}


def test_every_contract_compiles_to_single_pass_rules(spark):
    for key, schema in CONTRACTS.items():
        rules, skipped = compile_rules(schema, set())
        assert rules and not skipped, key
        assert all(c.description for c in schema.columns.values()), key


def test_clean_rows_break_no_rule_in_one_spark_job(spark):
    frame = frame_of(spark, ORDERS, [order(), order(line_number=2)])
    tracker, group = spark.sparkContext.statusTracker(), "dq-one-pass"
    spark.sparkContext.setJobGroup(group, "contract metrics")
    try:
        metrics = measure(frame, ORDERS)
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    assert len(tracker.getJobIdsForGroup(group)) == 1
    assert metrics.rows == 2 and metrics.structure == []
    assert [o for o in metrics.outcomes if o.violations] == []
    assert {o.check for o in metrics.outcomes} == {NOT_NULL, VALUE_RANGES, UNIQUE_KEY}


def test_bad_rows_fail_the_rule_they_break(spark):
    rows = [
        order(),
        order(),                                            # duplicate key
        order(line_number=3, customer_id=None),             # required value missing
        order(line_number=4, quantity=0, net_amount=Decimal("-1.00")),  # out of range
        order(line_number=5, net_amount=Decimal("5.00")),   # net_amount formula broken
        order(line_number=6, currency="eur"),               # currency format
    ]
    metrics = measure(frame_of(spark, ORDERS, rows), ORDERS)
    assert failing(metrics, NOT_NULL) == {("not_null", ("customer_id",)): 1}
    assert failing(metrics, UNIQUE_KEY) == {("unique(order_id, line_number)", ("order_id", "line_number")): 1}
    ranges = failing(metrics, VALUE_RANGES)
    assert ranges[("greater_than_or_equal_to(1)", ("quantity",))] == 1
    assert ranges[("greater_than_or_equal_to(0)", ("net_amount",))] == 1
    assert ranges[("net_amount = quantity x unit_price - discount_amount", ("net_amount",))] == 1
    assert ranges[("discount_amount <= quantity x unit_price", ("discount_amount", "quantity", "unit_price"))] == 1
    assert ranges[("str_matches('^[A-Z]{3}$')", ("currency",))] == 1


def test_broken_columns_are_named_and_their_rules_skipped(spark):
    frame = frame_of(spark, ORDERS, [order()])
    broken = frame.drop("order_date").withColumn("net_amount", F.col("net_amount").cast("double")) \
        .withColumn("coupon", F.lit("x"))
    metrics = measure(broken, ORDERS)
    assert sorted(metrics.structure) == [
        "coupon: not in the contract", "net_amount: double, contract says decimal(14,2)", "order_date: missing"]
    assert metrics.skipped and not any("net_amount" in o.columns for o in metrics.outcomes)
    assert any(o.columns == ("quantity",) for o in metrics.outcomes)  # intact columns still checked


def small_contract():
    return contract(
        "test/items", "items", {
            "id": field(T.StringType(), "id", nullable=False),
            "qty": field(T.IntegerType(), "qty", checks=[pa.Check.in_range(1, 10)]),
            "kind": field(T.StringType(), "kind", checks=[pa.Check.isin(["a", "b"])]),
            "total": field(T.IntegerType(), "total"),
        }, unique=["id"],
        rules=[row_rule("total_is_twice_qty", "total = 2 x qty", ("total",),
                        lambda: F.col("total") != 2 * F.col("qty")),
               aggregate_rule("at_most_two_b", "at most two rows of kind b", ("kind",),
                              lambda: F.greatest(F.count(F.when(F.col("kind") == "b", 1)) - 2, F.lit(0)))])


def test_single_pass_agrees_with_pandera_validate(spark):
    """Every kind of rule broken once: pandera (one job per rule) and the single pass agree."""
    schema = small_contract()
    rows = [("1", 0, "a", 0), ("1", 5, "c", 11), (None, 3, "b", 6), ("4", None, "b", None), ("5", 2, "b", 4)]
    frame = spark.createDataFrame(rows, "id string, qty int, kind string, total int")
    ours = {o.name for o in measure(frame, schema).outcomes if o.violations}
    errors = schema.validate(frame).pandera.errors
    theirs = {e["check"] for category in errors.values() for entries in category.values() for e in entries}
    names = {"not_nullable": "not_null", "unique": "unique(id)"}
    assert {names.get(c, c) for c in theirs} == ours
    assert ours == {"not_null", "unique(id)", "in_range(1, 10)", "isin(['a', 'b'])", "total = 2 x qty",
                    "at most two rows of kind b"}
