"""Days processed in any order give the same tables: the reference days run as two daily
runs, latest first, into an empty lakehouse (pipeline.py). A module of its own so that it
runs beside test_pipeline.py on the other worker."""

from __future__ import annotations

import pytest
from dagster import AssetKey, DagsterInstance

from lakehouse_assets.run_plan import DAILY_JOB, downstream_runs, range_tags
from lakehouse_assets_tests.pipeline import ALL_TABLES, DAY1, DAY2, DIMENSION_TABLES, Reference, lakehouse_env

pytestmark = pytest.mark.slow
FACT = AssetKey(["gold", "fact_sales"])


def execute(job_name: str, tags: dict[str, str], selection: list[AssetKey] | None = None) -> None:
    from lakehouse_assets.definitions import defs

    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=DagsterInstance.ephemeral(), tags=tags, asset_selection=selection, raise_on_error=False)
    assert result.success, f"{job_name} {tags} failed"


def test_shuffled_days_give_the_same_dimensions_then_the_same_tables(reference: Reference, spark, tmp_path):
    """SCD2 dimensions are independent of the order days are processed in. A fact partition
    sees the dimensions as they were when it was built (docs/decisions.md, 16), so day 2's, built
    first, differs until the fact is rebuilt over the range; with it and the months' runs every
    table equals the reference. (A whole range run over processed days changes nothing:
    test_pipeline.py's second run.)"""
    with lakehouse_env(spark, reference.landing, tmp_path / "shuffled") as shuffled:
        for day in (DAY2, DAY1):
            shuffled.run_daily(day)
        for key in DIMENSION_TABLES:
            assert shuffled.snapshot(key) == reference.snapshot(key), f"{key} after shuffled days"
        execute(DAILY_JOB, range_tags(DAY1.isoformat(), DAY2.isoformat()), [FACT])
        for run in downstream_runs(DAY1, DAY2):
            execute(run.job_name, run.tags)
        for key in ALL_TABLES:
            assert shuffled.snapshot(key) == reference.snapshot(key), key
