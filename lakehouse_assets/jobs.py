"""Asset jobs, one per partitioning; `lakehouse run`, schedules and backfills use them."""

from __future__ import annotations

from typing import Sequence

from dagster import AssetsDefinition, AssetSelection, define_asset_job

DAILY_JOB = "daily_assets"
MONTHLY_JOB = "monthly_marts"
UNPARTITIONED_JOB = "unpartitioned_tables"


def build_jobs(daily: Sequence[AssetsDefinition], monthly: Sequence[AssetsDefinition],
               unpartitioned: Sequence[AssetsDefinition]) -> list:
    return [
        define_asset_job(
            DAILY_JOB, selection=AssetSelection.assets(*daily),
            description="Every daily table, bronze to gold, for a date or a date range (one run).",
        ),
        define_asset_job(
            MONTHLY_JOB, selection=AssetSelection.assets(*monthly),
            description="The monthly marts, for a month or a range of months (one run).",
        ),
        define_asset_job(
            UNPARTITIONED_JOB, selection=AssetSelection.assets(*unpartitioned),
            description="Tables rebuilt whole from the fact (customer lifetime value).",
        ),
    ]
