"""DeltaTables.warm: existing tables' Delta state loaded ahead of the writes into them."""

from datetime import date, timedelta
from pathlib import Path

from lakehouse_assets.io_managers.tables import DeltaTables

DAY = date(2024, 1, 1)


def _day(lake: DeltaTables, day: date, value: str):
    return lake.spark.createDataFrame([(day, value)], "d date, v string")


def _write(lake: DeltaTables, key: list[str], day: date, value: str) -> None:
    lake.replace_window(_day(lake, day, value), key, "d", day, day + timedelta(days=1))


def _executions(lake: DeltaTables) -> int:
    """The id of the last SQL execution this JVM has started, from Spark's own status store,
    once its listener has seen every event (ids only grow; the store keeps only the latest
    `spark.sql.ui.retainedExecutions`, so their number stops growing in a long session)."""
    lake.spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty()
    store = lake.spark._jsparkSession.sharedState().statusStore()
    retained = store.executionsCount()
    return store.executionsList(retained - 1, 1).head().executionId() if retained else -1


def _write_counting(lake: DeltaTables, key: list[str], day: date, value: str) -> int:
    before = _executions(lake)
    _write(lake, key, day, value)
    return _executions(lake) - before


def test_a_write_into_a_warmed_table_starts_fewer_spark_queries(lake):
    cold, warm = ["silver", "cold"], ["silver", "warm"]
    for key in (cold, warm):
        _write(lake, key, DAY, "first")
    assert lake.warm([warm]).result() is None
    # The same second write into each: the warmed table's state is ready; the cold one's is
    # built in front of its write (Delta's state cache, then its size and file counts).
    cold_queries = _write_counting(lake, cold, DAY + timedelta(days=1), "second")
    warm_queries = _write_counting(lake, warm, DAY + timedelta(days=1), "second")
    assert warm_queries <= cold_queries - 2, (warm_queries, cold_queries)
    for key in (cold, warm):
        assert sorted((r["d"], r["v"]) for r in lake.read(key).collect()) == [
            (DAY, "first"), (DAY + timedelta(days=1), "second")]


def test_warm_passes_over_missing_tables_and_creates_nothing(lake):
    _write(lake, ["silver", "there"], DAY, "x")
    assert lake.warm([["silver", "missing"], ["silver", "there"]]).result() is None
    assert not Path(lake.path(["silver", "missing"])).exists()
    assert not lake.exists(["silver", "missing"])
