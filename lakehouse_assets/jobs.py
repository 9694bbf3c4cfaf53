"""Asset jobs, one per partitioning; `lakehouse run`, schedules, sensors and backfills use them.

Each job selects the assets of `assets.ASSETS` that share its partitioning, so a new
asset joins the right job by being declared, not by being listed twice. The jobs are
module-level objects because the schedule and the sensors name them as targets.
Every job carries the retry policy of `failures.retry_policy`, from the orchestration
settings read when the code location loads (`settings.definition_settings`).
"""

from __future__ import annotations

from collections.abc import Iterable

from dagster import AssetsDefinition, AssetSelection, PartitionsDefinition, define_asset_job

from lakehouse_assets.assets import ASSETS
from lakehouse_assets.failures import retry_policy
from lakehouse_assets.partitions import daily_partitions, monthly_partitions
from lakehouse_assets.run_plan import DAILY_JOB, MONTHLY_JOB, UNPARTITIONED_JOB, WRITER_TAGS
from lakehouse_assets.settings import definition_settings


def partitioned_by(assets: Iterable[AssetsDefinition], partitions_def: PartitionsDefinition | None) -> AssetSelection:
    """The assets whose partitioning is `partitions_def` (None: unpartitioned)."""
    return AssetSelection.assets(*[a for a in assets if a.partitions_def == partitions_def])


RETRY_POLICY = retry_policy(definition_settings())

daily_job = define_asset_job(
    DAILY_JOB, selection=partitioned_by(ASSETS, daily_partitions), tags=WRITER_TAGS,
    op_retry_policy=RETRY_POLICY,
    description="Every daily table, bronze to gold, for a date or a date range (one run).",
)
monthly_job = define_asset_job(
    MONTHLY_JOB, selection=partitioned_by(ASSETS, monthly_partitions), tags=WRITER_TAGS,
    op_retry_policy=RETRY_POLICY,
    description="The monthly marts, for a month or a range of months (one run).",
)
unpartitioned_job = define_asset_job(
    UNPARTITIONED_JOB, selection=partitioned_by(ASSETS, None), tags=WRITER_TAGS,
    op_retry_policy=RETRY_POLICY,
    description="Tables rebuilt whole from the fact (customer lifetime value).",
)
ASSET_JOBS = [daily_job, monthly_job, unpartitioned_job]
