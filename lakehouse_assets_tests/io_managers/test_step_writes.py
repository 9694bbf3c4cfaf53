"""StepWrites: a step's tables written together, reported as the IO manager would report them.

A toy multi-asset writes three silver tables and one bronze table for a day, through
`StepWrites` on the project's IO manager: every table is committed with the metadata
`handle_output` gives, the deferred check results follow the outputs, bronze keeps its
own Parquet settings while the others keep the session's, and a failed write fails the
step with its own message after the tables that were written are reported.
"""

from datetime import date
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetOut,
    Config,
    DagsterEventType,
    DailyPartitionsDefinition,
    materialize,
    multi_asset,
)

from lakehouse_assets.io_managers.delta_io_manager import DeltaIOManager
from lakehouse_assets.io_managers.step_writes import StepWrites
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.spark import SparkResource

pytestmark = pytest.mark.slow

DAILY = DailyPartitionsDefinition(start_date="2024-01-01")
D1 = date(2024, 1, 1)
SILVER = ["one", "two", "three"]
OUTS = {
    **{name: AssetOut(key=["silver", name], is_required=False, metadata={"partition_expr": "date"})
       for name in SILVER},
    "landed": AssetOut(key=["bronze", "landed"], is_required=False, metadata={"partition_expr": "date"}),
}


class Rows(Config):
    rows: int = 3


@multi_asset(outs=OUTS, partitions_def=DAILY, can_subset=True,
             check_specs=[AssetCheckSpec("has_rows", asset=["silver", name]) for name in SILVER])
def tables(context, config: Rows, spark: SparkResource):
    writes = StepWrites(context)
    for i, name in enumerate([*SILVER, "landed"]):
        frame = spark.session.createDataFrame([(D1, n * (i + 1)) for n in range(config.rows)], "date DATE, n INT")
        writes.add(name, frame, {"position": i})
        if name in SILVER:
            writes.after([AssetCheckResult(asset_key=["silver", name], check_name="has_rows", passed=True)])
    yield from writes.flush()


def run(rows: int = 3):
    resource = SparkResource(lakehouse=LakehouseSettings())
    return materialize([tables], partition_key=D1.isoformat(), raise_on_error=False,
                       run_config={"ops": {"tables": {"config": {"rows": rows}}}},
                       resources={"spark": resource, "io_manager": DeltaIOManager(spark=resource)})


def materialized(result) -> dict[str, dict]:
    return {"/".join(m.asset_key.path): {k: v.value for k, v in m.metadata.items()}
            for m in result.asset_materializations_for_node("tables")}


def parquet_files(lake: DeltaTables, key) -> list[str]:
    return [p.name for p in Path(lake.path(key).removeprefix("file:")).rglob("*.parquet")]


def test_every_table_is_written_and_reported_with_its_commit(lake):
    first, second = run(), run(rows=2)
    assert first.success and second.success
    found = materialized(second)
    assert sorted(found) == ["bronze/landed", "silver/one", "silver/three", "silver/two"]
    for i, name in enumerate(["silver/one", "silver/two", "silver/three", "bronze/landed"]):
        meta = found[name]
        assert (meta["position"], meta["dagster/row_count"], meta["delta_version"]) == (i, 2, 1)
        assert meta["window"] == "2024-01-01 .. 2024-01-02 (end exclusive)"
        assert sorted(r["n"] for r in lake.read(name.split("/")).collect()) == [0, i + 1]
    checks = [e for e in second.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    assert len(checks) == 3
    # The check results come after every table's materialization.
    kinds = [e.event_type for e in second.all_events
             if e.event_type in (DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION)]
    assert kinds == [DagsterEventType.ASSET_MATERIALIZATION] * 4 + [DagsterEventType.ASSET_CHECK_EVALUATION] * 3
    # Bronze keeps its own Parquet settings (zstd); the tables written beside it keep the session's.
    assert parquet_files(lake, ["bronze", "landed"]) and all(
        ".zstd." in f for f in parquet_files(lake, ["bronze", "landed"]))
    for name in SILVER:
        assert parquet_files(lake, ["silver", name]) and not any(
            ".zstd." in f for f in parquet_files(lake, ["silver", name]))


def test_a_failed_write_fails_the_step_after_the_others_are_reported(lake):
    # A file where silver/two's folder belongs: its write cannot create the table.
    Path(lake.root, "silver").mkdir(parents=True)
    Path(lake.root, "silver", "two").write_text("not a table")
    result = run()
    assert not result.success
    assert sorted(materialized(result)) == ["bronze/landed", "silver/one", "silver/three"]
    assert not [e for e in result.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE)
    assert "writing silver/two" in failure.event_specific_data.error.message + str(
        failure.event_specific_data.error_display_string)
