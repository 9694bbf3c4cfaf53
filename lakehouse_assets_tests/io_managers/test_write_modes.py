"""DeltaIOManager's write modes and reads, one tiny `dagster.materialize()` run at a time.

Toy assets on a tmp_path lakehouse: a daily table (`partition_expr`: replaceWhere on the
run's window), an unpartitioned table (overwrite), a dimension (`write_mode: upsert_groups`)
and downstream readers (the run's partitions, or `FULL_TABLE`).
"""

from datetime import date

import pytest
from dagster import AssetIn, Config, DailyPartitionsDefinition, asset, materialize
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from pyspark.sql import DataFrame

from lakehouse_assets.failures import OUTSIDE_WINDOW
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE, DeltaIOManager
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.partitions import days_in
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.spark import SparkResource

pytestmark = pytest.mark.slow

DAILY = DailyPartitionsDefinition(start_date="2024-01-01")
D1, D2, D3 = date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)
EVENTS, SUMMARY, DIM = ["silver", "events"], ["gold", "summary"], ["silver", "dim_thing"]


class Events(Config):
    value: str = "a"
    rows_per_day: int = 2
    spill: bool = False  # add a row dated the day after the run's window


class Rows(Config):
    rows: list[str] = []  # "sk,id,name" (dimension) or "id,name" (summary)
    extra_column: bool = False


@asset(key=EVENTS, partitions_def=DAILY, metadata={"partition_expr": "date"})
def events(context, config: Events, spark: SparkResource) -> DataFrame:
    window = context.partition_time_window
    days = days_in(window.start, window.end) + ([window.end.date()] if config.spill else [])
    rows = [(d, i, config.value) for d in days for i in range(config.rows_per_day)]
    return spark.session.createDataFrame(rows, "date DATE, id INT, value STRING")


@asset(key=SUMMARY)
def summary(config: Rows, spark: SparkResource) -> DataFrame:
    rows = [tuple(r.split(",")) for r in config.rows]
    frame = spark.session.createDataFrame(rows, "id STRING, name STRING")
    return frame.selectExpr("*", "length(name) AS name_length") if config.extra_column else frame


@asset(key=DIM, partitions_def=DAILY, metadata={"write_mode": "upsert_groups", "row_key": "sk", "group_key": "id"})
def dim_thing(config: Rows, spark: SparkResource) -> DataFrame:
    rows = [(int(sk), entity, name) for sk, entity, name in (r.split(",") for r in config.rows)]
    return spark.session.createDataFrame(rows, "sk INT, id STRING, name STRING")


SEEN: dict[str, list[tuple]] = {}


def collected(frame: DataFrame) -> list[tuple]:
    return sorted((r["date"], r["id"], r["value"]) for r in frame.collect())


@asset(key=["gold", "window_reader"], partitions_def=DAILY, ins={"events": AssetIn(key=EVENTS)})
def window_reader(events: DataFrame) -> None:
    SEEN["window"] = collected(events)


@asset(key=["gold", "full_reader"], partitions_def=DAILY, ins={"events": AssetIn(key=EVENTS, metadata=FULL_TABLE)})
def full_reader(events: DataFrame) -> None:
    SEEN["full"] = collected(events)


ASSETS = [events, summary, dim_thing, window_reader, full_reader]


def run(asset_def, config: dict | None = None, partition: date | None = None,
        days: tuple[date, date] | None = None, raise_on_error: bool = True):
    """Materialize `asset_def` (other toy assets are sources), returning the result."""
    resource = SparkResource(lakehouse=LakehouseSettings())
    tags = {ASSET_PARTITION_RANGE_START_TAG: days[0].isoformat(),
            ASSET_PARTITION_RANGE_END_TAG: days[1].isoformat()} if days else None
    ops_config = {"ops": {asset_def.op.name: {"config": config}}} if config else None
    return materialize(
        ASSETS, selection=[asset_def], run_config=ops_config, tags=tags, raise_on_error=raise_on_error,
        partition_key=partition.isoformat() if partition else None,
        resources={"spark": resource, "io_manager": DeltaIOManager(spark=resource)},
    )


def metadata(result, asset_def, partitions: int = 1) -> dict:
    """The write's metadata: a range run records it once per partition, the same on each."""
    found = [{k: v.value for k, v in m.metadata.items()} for m in result.asset_materializations_for_node(
        asset_def.op.name)]
    assert len(found) == partitions and all(m == found[0] for m in found)
    return found[0]


def table(lake: DeltaTables, key, *columns: str) -> list[tuple]:
    return sorted(tuple(r) for r in lake.read(key).select(*columns).collect())


def test_a_partition_rerun_replaces_only_its_day(lake):
    created = metadata(run(events, {"value": "a"}, D1), events)["delta_version"]
    run(events, {"value": "a"}, D2)
    result = run(events, {"value": "b", "rows_per_day": 3}, D1)
    assert table(lake, EVENTS, "date", "id", "value") == [
        (D1, 0, "b"), (D1, 1, "b"), (D1, 2, "b"), (D2, 0, "a"), (D2, 1, "a")]
    meta = metadata(result, events)
    assert meta["dagster/row_count"] == 3
    assert (meta["delta_version"], meta["delta_operation"]) == (created + 2, "WRITE")
    assert meta["window"] == "2024-01-01 .. 2024-01-02 (end exclusive)"
    assert meta["path"] == lake.path(EVENTS)
    assert [c.name for c in meta["dagster/column_schema"].columns] == ["date", "id", "value"]
    # partition_by defaults to True: the table is physically partitioned by the date column.
    assert lake.spark.sql(f"DESCRIBE DETAIL delta.`{lake.path(EVENTS)}`").first()["partitionColumns"] == ["date"]


def test_a_range_run_replaces_exactly_its_days(lake):
    created = metadata(run(events, {"value": "a"}, days=(D1, D3)), events, partitions=3)["delta_version"]
    result = run(events, {"value": "b", "rows_per_day": 1}, days=(D2, D3))
    assert table(lake, EVENTS, "date", "id", "value") == [
        (D1, 0, "a"), (D1, 1, "a"), (D2, 0, "b"), (D3, 0, "b")]
    meta = metadata(result, events, partitions=2)
    assert meta["window"] == "2024-01-02 .. 2024-01-04 (end exclusive)"
    assert (meta["dagster/row_count"], meta["delta_version"]) == (2, created + 1)


@pytest.mark.parametrize("existing", [
    pytest.param(False, id="new table"),
    pytest.param(True, id="existing table"),
])
def test_rows_outside_the_partition_fail_the_write_and_change_nothing(lake, existing):
    if existing:
        run(events, {"value": "a"}, D2)
    result = run(events, {"value": "b", "spill": True}, D1, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    # An existing table: Delta's replaceWhere check. A new one: the first write's own check.
    expected = ("org.apache.spark.sql.delta.DeltaAnalysisException: [DELTA_REPLACE_WHERE_MISMATCH] Written data "
                "does not conform to partial table overwrite condition" if existing else
                f"{OUTSIDE_WINDOW} silver/events: a row's date is not in [{D1}, {D2})")
    assert "data error while writing silver/events, not retried: " in message and expected in message, message
    assert failure.step_failure_data.user_failure_data.metadata["error_kind"].value == "data"
    left = table(lake, EVENTS, "date", "value") if lake.exists(EVENTS) else []
    assert left == ([(D2, "a"), (D2, "a")] if existing else [])
    if existing:
        assert lake.last_commit(EVENTS).operation == "WRITE" and lake.last_commit(EVENTS).rows_written == 2


def test_an_unpartitioned_table_is_overwritten_schema_and_all(lake):
    first = run(summary, {"rows": ["1,x", "2,y", "3,z"]})
    assert table(lake, SUMMARY, "id", "name") == [("1", "x"), ("2", "y"), ("3", "z")]
    second = run(summary, {"rows": ["4,four", "5,five"], "extra_column": True})
    assert table(lake, SUMMARY, "*") == [("4", "four", 4), ("5", "five", 4)]
    assert [(m["dagster/row_count"], m["delta_version"], m["delta_operation"]) for m in
            (metadata(first, summary), metadata(second, summary))] == [(3, 0, "WRITE"), (2, 1, "WRITE")]
    assert "window" not in metadata(second, summary)


def test_upsert_groups_replaces_the_frames_groups_and_leaves_the_others(lake):
    def merged(result) -> tuple:
        meta, metrics = metadata(result, dim_thing), lake.last_commit(DIM).metrics
        # dagster/row_count of a MERGE is the rows it inserted and updated, not Delta's
        # numOutputRows (which also counts the unchanged rows of the files it rewrote).
        assert meta["dagster/row_count"] == metrics["numTargetRowsInserted"] + metrics["numTargetRowsUpdated"]
        assert "window" not in meta
        return meta["delta_version"], meta["delta_operation"], *(metrics[f"numTargetRows{change}"] for change in (
            "Inserted", "Updated", "Deleted"))

    first = run(dim_thing, {"rows": ["1,a,old", "2,a,gone", "3,b,kept", "4,c,kept"]}, D1)
    assert (metadata(first, dim_thing)["delta_operation"], metadata(first, dim_thing)["dagster/row_count"]) == (
        "WRITE", 4)
    second_rows = ["1,a,new", "5,a,added"]
    assert merged(run(dim_thing, {"rows": second_rows}, D2)) == (1, "MERGE", 1, 1, 1)
    after = table(lake, DIM, "sk", "id", "name")
    assert after == [(1, "a", "new"), (3, "b", "kept"), (4, "c", "kept"), (5, "a", "added")]
    # The same frame again: same content (a new MERGE version that rewrites the group's rows).
    assert merged(run(dim_thing, {"rows": second_rows}, D2)) == (2, "MERGE", 0, 2, 0)
    assert table(lake, DIM, "sk", "id", "name") == after


def test_inputs_load_the_runs_partitions_or_the_full_table(lake):
    run(events, {"value": "a", "rows_per_day": 1}, days=(D1, D3))
    SEEN.clear()
    run(window_reader, partition=D2)
    assert SEEN["window"] == [(D2, 0, "a")]
    run(window_reader, days=(D2, D3))
    assert SEEN["window"] == [(D2, 0, "a"), (D3, 0, "a")]
    run(full_reader, partition=D2)
    assert SEEN["full"] == [(D1, 0, "a"), (D2, 0, "a"), (D3, 0, "a")]


def test_reading_a_table_never_written_fails_as_a_data_error(lake):
    result = run(window_reader, partition=D1, raise_on_error=False)
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "data error while reading silver/events" in failure.step_failure_data.error.message
    assert "does not exist" in failure.step_failure_data.error.message
