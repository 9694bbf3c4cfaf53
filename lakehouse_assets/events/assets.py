"""The events source's assets (SPEC §7 events), run by jobs of their own.

Each table is in its layer's group; the jobs `events_stream`, `events_daily` and
`events_monthly` (`jobs.py`) run them, never the lakehouse's own jobs.

- `events_ingest` (bronze/events, quarantine/events): the available-now stream of
  `stream.py`, unpartitioned: it reads whatever the topic holds that the checkpoint has
  not seen, whichever dates that is;
- silver/events (daily): bronze's valid events of the run's dates, one per event_id;
- gold/product_funnel_daily (daily), gold/customer_engagement_monthly (monthly).
"""

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    Output,
    asset,
    multi_asset,
)
from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.checks.audit import audit, audited_write, log_blocked, require_tables_of_checks
from lakehouse_assets.checks.results import CONTRACT_CHECKS
from lakehouse_assets.checks.targets import Target, target
from lakehouse_assets.checks.windows import run_window
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.contracts.events import EVENT_DATE, TOPIC
from lakehouse_assets.events import checks
from lakehouse_assets.events.stream import MAX_OFFSETS_PER_TRIGGER, StreamTarget, ingest_available
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE, commit_metadata
from lakehouse_assets.io_managers.tables import DeltaTables, table_uri
from lakehouse_assets.partitions import daily_partitions, days_of_month, monthly_partitions, single_run_backfill
from lakehouse_assets.resources.kafka import BOOTSTRAP_VAR, bootstrap_servers, watermarks
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.transforms import event_marts
from lakehouse_assets.transforms import events as event_rows

KINDS = {"spark", "delta", "kafka"}
CHECKPOINT = "_checkpoints/events"
QUARANTINE_KEY = ["quarantine", "events"]
SILVER = Target(checks.SILVER, checks=(*CONTRACT_CHECKS, checks.ROW_ACCOUNTING, checks.CROSS_DAY_KEY),
                blocking=frozenset(CONTRACT_CHECKS))
FUNNEL = target("gold", "product_funnel_daily")
ENGAGEMENT = target("gold", "customer_engagement_monthly")


class IngestConfig(Config):
    max_offsets_per_trigger: int = MAX_OFFSETS_PER_TRIGGER


def stream_target(root: str, bootstrap: str, max_offsets: int = MAX_OFFSETS_PER_TRIGGER) -> StreamTarget:
    return StreamTarget(bootstrap=bootstrap, bronze_path=table_uri(root, checks.BRONZE),
                        quarantine_path=table_uri(root, QUARANTINE_KEY),
                        checkpoint=table_uri(root, CHECKPOINT.split("/")), max_offsets_per_trigger=max_offsets)


@multi_asset(
    name="events_ingest",
    specs=[AssetSpec(checks.BRONZE, group_name="bronze", kinds=KINDS, skippable=False,
                     description="Every message of Kafka topic retail.events, exactly once, with its offset."),
           AssetSpec(QUARANTINE_KEY, group_name="quarantine", kinds=KINDS, skippable=False,
                     metadata=column_schema_metadata(QUARANTINE_KEY),
                     description="Messages of retail.events that are not a valid event, with the reason.")],
    check_specs=checks.BRONZE_CHECKS,
    description="Read retail.events up to its end (available-now stream) into bronze and quarantine.",
)
def events_ingest(context: AssetExecutionContext, config: IngestConfig, spark: SparkResource):
    bootstrap = bootstrap_servers()
    if bootstrap is None:
        raise Failure(description=f"{BOOTSTRAP_VAR} is not set: the events source has no Kafka to read",
                      allow_retries=False)
    session, root = spark.session, spark.settings.lakehouse_root
    run = ingest_available(session, stream_target(root, bootstrap, config.max_offsets_per_trigger))
    context.log.info(f"events: {run.messages} message(s) in {len(run.batches)} batch(es)")
    tables = DeltaTables(session, root)
    if not tables.exists(checks.BRONZE):
        raise Failure(description=f"topic {TOPIC} on {bootstrap} held no message yet: bronze/events not created",
                      allow_retries=False)
    run_figures = {"messages_read": run.messages, "batches": len(run.batches)}
    for key in (checks.BRONZE, QUARANTINE_KEY):
        yield MaterializeResult(asset_key=key, metadata={**commit_metadata(tables.last_commit(key)), **run_figures})
    bronze = tables.read(checks.BRONZE)
    yield checks.offsets_exactly_once(bronze)
    yield checks.consumer_lag(checks.next_offsets(bronze, TOPIC), watermarks(bootstrap, TOPIC))


def _in_window(frame: DataFrame, window) -> DataFrame:
    return frame.where(window.predicate(EVENT_DATE))


@asset(key=checks.SILVER.path, group_name="silver", kinds={"spark", "delta"},
       partitions_def=daily_partitions, backfill_policy=single_run_backfill,
       ins={"bronze": AssetIn(key=checks.BRONZE.path, metadata=FULL_TABLE),
            "quarantine": AssetIn(key=QUARANTINE_KEY, metadata=FULL_TABLE)},
       metadata={"partition_expr": EVENT_DATE, **column_schema_metadata(checks.SILVER.path)},
       check_specs=[AssetCheckSpec(name, asset=checks.SILVER, blocking=name in SILVER.blocking,
                                   description=checks.SILVER_CHECK_DESCRIPTIONS.get(name, name))
                    for name in SILVER.checks],
       description="Valid, typed events of the run's dates, each event_id once across all days.")
def silver_events(context: AssetExecutionContext, spark: SparkResource, bronze: DataFrame, quarantine: DataFrame):
    require_tables_of_checks(context)
    window = run_window(context)
    window_rows = _in_window(bronze, window)
    frame = event_rows.silver_events(window_rows, bronze).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        results, _ = audit(context, SILVER, frame, window)
        yield from _silver_results(context, spark, window, window_rows, quarantine, frame, results)
    finally:
        frame.unpersist()


def _silver_results(context, spark, window, window_rows, quarantine, frame, results):
    counts = event_rows.classify(window_rows).agg(F.count(F.lit(1)).alias("bronze"),
                                       F.count(F.when(F.col("reason").isNull(), 1)).alias("valid")).first()
    written = frame.count()
    selected = SILVER.selected(context)
    if checks.ROW_ACCOUNTING in selected:
        results.append(checks.row_accounting(counts["bronze"], written, _in_window(quarantine, window).count(),
                                             counts["valid"]))
    if checks.CROSS_DAY_KEY in selected:
        tables = DeltaTables(spark.session, spark.settings.lakehouse_root)
        elsewhere = tables.read(checks.SILVER).where(f"NOT ({window.predicate(EVENT_DATE)})") \
            if tables.exists(checks.SILVER) else frame.limit(0)
        results.append(checks.cross_day_key(frame.join(elsewhere.select("event_id"), "event_id", "left_semi").count()))
    if not log_blocked(context, SILVER, results):
        yield Output(frame)
    yield from results


@asset(key=FUNNEL.key.path, group_name="gold", kinds={"spark", "delta"},
       partitions_def=daily_partitions, backfill_policy=single_run_backfill,
       ins={"events": AssetIn(key=checks.SILVER.path)},
       metadata={"partition_expr": "date", **column_schema_metadata(FUNNEL.key.path)},
       check_specs=FUNNEL.specs(),
       description="Daily product views, add-to-carts, purchases and view-to-purchase rate per product.")
def product_funnel_daily(context: AssetExecutionContext, events: DataFrame):
    require_tables_of_checks(context)
    yield from audited_write(context, FUNNEL, event_marts.product_funnel_daily(events), run_window(context))


@asset(key=ENGAGEMENT.key.path, group_name="gold", kinds={"spark", "delta"},
       partitions_def=monthly_partitions, backfill_policy=single_run_backfill,
       ins={"events": AssetIn(key=checks.SILVER.path, partition_mapping=days_of_month),
            "fact": AssetIn(key=["gold", "fact_sales"], partition_mapping=days_of_month)},
       metadata={"partition_expr": "month", **column_schema_metadata(ENGAGEMENT.key.path)},
       check_specs=ENGAGEMENT.specs(),
       description="Monthly sessions, events, purchase events and net USD (gold/fact_sales) per known customer.")
def customer_engagement_monthly(context: AssetExecutionContext, events: DataFrame, fact: DataFrame):
    require_tables_of_checks(context)
    frame = event_marts.customer_engagement_monthly(events, fact)
    yield from audited_write(context, ENGAGEMENT, frame, run_window(context))


EVENT_ASSETS = [events_ingest, silver_events, product_funnel_daily, customer_engagement_monthly]
