"""Several aggregations in one Spark query (`checks/together.py`): each frame's rows come
back whole and typed, as its own collect would give them, from a single SQL execution."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pyspark.sql import functions as F

from lakehouse_assets.checks.together import Pending, collect_together, run_together


def last_execution(spark) -> int:
    """The id of the session's latest SQL execution (ids count up; the store keeps the
    latest 1,000), once the listeners have heard of them all."""
    spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty()
    store = spark._jsparkSession.sharedState().statusStore()
    return store.executionsList().last().executionId() if store.executionsCount() else -1


def frames(spark):
    sales = spark.createDataFrame(
        [(date(2024, 1, 1), "a", Decimal("1.50")), (date(2024, 1, 1), "b", None),
         (date(2024, 1, 2), "a", Decimal("2"))],
        "day date, shop string, amount decimal(10,2)")
    files = spark.createDataFrame([("f1", datetime(2024, 1, 1, 8, 30), 3)], "file string, seen timestamp, lines int")
    return {
        "by_day": sales.groupBy("day").agg(F.count(F.lit(1)).alias("rows"), F.sum("amount").alias("amount")),
        "by_shop": sales.groupBy("shop").agg(F.max("day").alias("last")),
        "files": files,
        "none": sales.where("shop = 'z'").groupBy("shop").count(),
    }


def test_each_frames_rows_come_back_typed_as_its_own_collect_gives_them(spark):
    expected = {name: sorted(frame.collect()) for name, frame in frames(spark).items()}
    found = collect_together(frames(spark))
    assert {name: sorted(rows) for name, rows in found.items()} == expected
    assert found["none"] == []
    row = found["files"][0]
    assert (row["file"], row["seen"], row["lines"]) == ("f1", datetime(2024, 1, 1, 8, 30), 3)
    assert {r["day"]: r["amount"] for r in found["by_day"]} == {date(2024, 1, 1): Decimal("1.50"),
                                                                date(2024, 1, 2): Decimal("2.00")}


def test_one_query_for_all_of_them(spark):
    pending = {name: Pending(frame, len) for name, frame in frames(spark).items()}
    before = last_execution(spark)
    counts = run_together(pending)
    assert last_execution(spark) - before == 1
    assert counts == {"by_day": 2, "by_shop": 2, "files": 1, "none": 0}


def test_a_single_frame_is_its_own_collect_and_none_is_no_query(spark):
    only = frames(spark)["by_shop"]
    assert sorted(collect_together({"only": only})["only"]) == sorted(only.collect())
    assert Pending(only, lambda rows: sorted(r["shop"] for r in rows)).run() == ["a", "b"]
    before = last_execution(spark)
    assert collect_together({}) == {} and run_together({}) == {}
    assert last_execution(spark) == before
