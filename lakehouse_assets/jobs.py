"""Asset jobs, one per partitioning; `lakehouse run`, schedules, sensors and backfills use them.

Each job selects the assets of `assets.ASSETS` that share its partitioning, so a new
asset joins the right job by being declared, not by being listed twice. The serving
assets (layer `serving`, the mart database) have jobs of their own, so the lakehouse's
jobs never need that database. The jobs are
module-level objects because the schedule and the sensors name them as targets.
Every job carries the retry policy of `failures.retry_policy`, from the orchestration
settings read when the code location loads (`settings.definition_settings`).
"""

from __future__ import annotations

from collections.abc import Iterable

from dagster import AssetsDefinition, AssetSelection, PartitionsDefinition, define_asset_job

from lakehouse_assets.assets import ASSETS
from lakehouse_assets.crm.assets import CRM_ASSETS
from lakehouse_assets.events.assets import EVENT_ASSETS
from lakehouse_assets.failures import retry_policy
from lakehouse_assets.partitions import daily_partitions, monthly_partitions
from lakehouse_assets.run_plan import (
    CRM_EXTRACT_JOB,
    CRM_MONTHLY_JOB,
    DAILY_JOB,
    EVENTS_DAILY_JOB,
    EVENTS_INGEST_JOB,
    EVENTS_MONTHLY_JOB,
    MONTHLY_JOB,
    SERVING_MONTHLY_JOB,
    SERVING_UNPARTITIONED_JOB,
    UNPARTITIONED_JOB,
    WRITER_TAGS,
)
from lakehouse_assets.serving.tables import SERVING_LAYER
from lakehouse_assets.settings import definition_settings


def partitioned_by(assets: Iterable[AssetsDefinition], partitions_def: PartitionsDefinition | None) -> AssetSelection:
    """The assets whose partitioning is `partitions_def` (None: unpartitioned)."""
    return AssetSelection.assets(*[a for a in assets if a.partitions_def == partitions_def])


def in_layer(assets: Iterable[AssetsDefinition], layer: str, inside: bool = True) -> list[AssetsDefinition]:
    """The assets whose keys are (inside=False: are not) under `layer`."""
    return [a for a in assets if all(k.path[0] == layer for k in a.keys) == inside]


RETRY_POLICY = retry_policy(definition_settings())
SERVING = in_layer(ASSETS, SERVING_LAYER)
# The crm source (docs/sources.md) has jobs of its own, run only when a CRM database is set;
# so has the events source (Kafka), run only when a broker is set.
CRM = [a for a in ASSETS if any(a is c for c in CRM_ASSETS)]
EVENTS = [a for a in ASSETS if any(a is e for e in EVENT_ASSETS)]
LAKEHOUSE_ASSETS = [a for a in in_layer(ASSETS, SERVING_LAYER, inside=False)
                    if not any(a is other for other in (*CRM, *EVENTS))]


def writer_job(name: str, assets: Iterable[AssetsDefinition], partitions_def: PartitionsDefinition | None,
               description: str):
    """The job of `assets`' tables partitioned by `partitions_def`: one writer at a time
    (WRITER_TAGS) and the retry policy."""
    return define_asset_job(name, selection=partitioned_by(assets, partitions_def), tags=WRITER_TAGS,
                            op_retry_policy=RETRY_POLICY, description=description)


daily_job = writer_job(DAILY_JOB, LAKEHOUSE_ASSETS, daily_partitions,
                       "Every daily table, bronze to gold, for a date or a date range (one run).")
monthly_job = writer_job(MONTHLY_JOB, LAKEHOUSE_ASSETS, monthly_partitions,
                         "The monthly marts, for a month or a range of months (one run).")
unpartitioned_job = writer_job(UNPARTITIONED_JOB, LAKEHOUSE_ASSETS, None,
                               "Tables rebuilt whole from the fact (customer lifetime value).")
# One export at a time (WRITER_TAGS): an export's staging table is named after its mart and month.
serving_monthly_job = writer_job(
    SERVING_MONTHLY_JOB, SERVING, monthly_partitions,
    "The monthly marts exported to the mart database, a month per transaction (docs/serving.md).")
serving_unpartitioned_job = writer_job(SERVING_UNPARTITIONED_JOB, SERVING, None,
                                       "Customer lifetime value exported to the mart database in one transaction.")
# The events source (docs/sources.md): the stream, then the days' and the months' tables built from it.
events_stream_job = writer_job(
    EVENTS_INGEST_JOB, EVENTS, None,
    "Read Kafka topic retail.events to its end into bronze/events and quarantine/events (exactly once).")
events_daily_job = writer_job(EVENTS_DAILY_JOB, EVENTS, daily_partitions,
                              "silver/events and gold/product_funnel_daily for a date or a date range (one run).")
events_monthly_job = writer_job(EVENTS_MONTHLY_JOB, EVENTS, monthly_partitions,
                                "gold/customer_engagement_monthly for a month or a range of months (one run).")
# The crm source: extraction to dim_contact (bounded by the lakehouse/crm_until tag), then its mart's months.
crm_extract_job = writer_job(CRM_EXTRACT_JOB, CRM, None,
                             "The CRM tables over JDBC to bronze (incremental), silver, quarantine and dim_contact.")
crm_monthly_job = writer_job(CRM_MONTHLY_JOB, CRM, monthly_partitions,
                             "gold/sales_pipeline_monthly for a month or a range of months.")
CRM_JOBS = [crm_extract_job, crm_monthly_job]
ASSET_JOBS = [*CRM_JOBS, daily_job, monthly_job, unpartitioned_job, serving_monthly_job, serving_unpartitioned_job,
              events_stream_job, events_daily_job, events_monthly_job]
