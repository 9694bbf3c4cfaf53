"""Asset jobs, one per partitioning; `lakehouse run`, schedules, sensors and backfills use them.

The jobs are module-level objects (not built inside `definitions.py`) because the
schedule and the sensors in `lakehouse_assets/orchestration/` must name them as targets.
Every job that writes to the lakehouse or the landing zone carries `WRITER_TAG`, so an
instance's run queue can allow one writer at a time (docs/operations.md: Delta on S3).
"""

from __future__ import annotations

from typing import Sequence

from dagster import AssetsDefinition, AssetSelection, define_asset_job

from lakehouse_assets.audit.ingested_files import ingested_files
from lakehouse_assets.bronze.assets import bronze_assets
from lakehouse_assets.checks import DQ_ASSETS
from lakehouse_assets.gold.fact_sales import fact_sales
from lakehouse_assets.gold.marts import monthly_mart_assets, unpartitioned_assets
from lakehouse_assets.silver.dimensions import dimension_assets
from lakehouse_assets.silver.validated import validated_assets

DAILY_JOB = "daily_assets"
MONTHLY_JOB = "monthly_marts"
UNPARTITIONED_JOB = "unpartitioned_tables"
WRITER_TAG = "lakehouse/writer"
WRITER_TAGS = {WRITER_TAG: "lakehouse"}
TRIGGER_TAG = "lakehouse/trigger"  # what started a run: schedule, landing_sensor, follow_up
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

DAILY_ASSETS = [*bronze_assets, *validated_assets, ingested_files, *dimension_assets, fact_sales, *DQ_ASSETS]

daily_job = define_asset_job(
    DAILY_JOB, selection=AssetSelection.assets(*DAILY_ASSETS), tags=WRITER_TAGS,
    description="Every daily table, bronze to gold, for a date or a date range (one run).",
)
monthly_job = define_asset_job(
    MONTHLY_JOB, selection=AssetSelection.assets(*monthly_mart_assets), tags=WRITER_TAGS,
    description="The monthly marts, for a month or a range of months (one run).",
)
unpartitioned_job = define_asset_job(
    UNPARTITIONED_JOB, selection=AssetSelection.assets(*unpartitioned_assets), tags=WRITER_TAGS,
    description="Tables rebuilt whole from the fact (customer lifetime value).",
)


def build_jobs(daily: Sequence[AssetsDefinition], monthly: Sequence[AssetsDefinition],
               unpartitioned: Sequence[AssetsDefinition]) -> list:
    """The three asset jobs; the code location passes its asset lists, which must be ours."""
    for given, expected, name in ((daily, DAILY_ASSETS, DAILY_JOB), (monthly, monthly_mart_assets, MONTHLY_JOB),
                                  (unpartitioned, unpartitioned_assets, UNPARTITIONED_JOB)):
        if {k for a in given for k in a.keys} != {k for a in expected for k in a.keys}:
            raise ValueError(f"job {name}: the code location's assets differ from lakehouse_assets/jobs.py")
    return [daily_job, monthly_job, unpartitioned_job]
