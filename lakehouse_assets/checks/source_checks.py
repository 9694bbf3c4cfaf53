"""One check step per landing source: silver/<source> and quarantine/<source> together.

silver/<source>: the contract checks, row accounting and the quarantine share,
all ERROR and blocking, so a bad day never reaches the dimensions and the fact.
quarantine/<source>: the contract checks, ERROR but not blocking (nothing but the
DQ report reads quarantine). One Spark job per table and one count of bronze, run
concurrently with the plain-Python count of the landing files.
"""

from dagster import AssetCheckExecutionContext, AssetKey, AssetsDefinition, multi_asset_check
from pyspark.sql import functions as F

from lakehouse_assets.bronze.ingest import PARTITION_COLUMN
from lakehouse_assets.checks.accounting import (
    Accounting, landed_before_read, quarantine_share_result, recorded_duplicates, row_accounting_result,
)
from lakehouse_assets.checks.config import load_dq_config
from lakehouse_assets.checks.engine import (
    Measured, Target, check_window, in_parallel, measure_target, specs_of, tables_of, target,
)
from lakehouse_assets.checks.landed import landed_files
from lakehouse_assets.checks.results import (
    CONTRACT_CHECKS, QUARANTINE_SHARE, ROW_ACCOUNTING, missing_table_results,
)
from lakehouse_assets.partitions import daily_partitions
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import SOURCES, Source
from lakehouse_assets.transforms.validation import REASONS

SILVER_CHECKS = (*CONTRACT_CHECKS, ROW_ACCOUNTING, QUARANTINE_SHARE)
COUNT_CHECKS = {ROW_ACCOUNTING, QUARANTINE_SHARE}


def reason_counts(frame) -> dict:
    """Rows per quarantine reason, for the quarantine table's single pass."""
    if "reason" not in frame.columns:
        return {}
    return {f"reason/{r}": F.count(F.when(F.col("reason") == r, F.lit(1))) for r in REASONS}


def source_targets(source: Source) -> tuple[Target, Target]:
    silver = target("silver", source.name, checks=SILVER_CHECKS, blocking=frozenset(SILVER_CHECKS),
                    partitions_def=daily_partitions)
    quarantine = target("quarantine", source.name, blocking=frozenset(), partitions_def=daily_partitions)
    return silver, quarantine


def _count_results(context: AssetCheckExecutionContext, source: Source, silver: Measured, quarantine: Measured,
                   counted: dict, selected: set[str]):
    """Row accounting and quarantine share, from the two passes and the two counts."""
    key, names = silver.target.key, [n for n in (ROW_ACCOUNTING, QUARANTINE_SHARE) if n in selected]
    if silver.metrics is None or quarantine.metrics is None or counted.get("bronze") is None:
        reason = silver.error or quarantine.error or "bronze table cannot be read for these dates"
        yield from missing_table_results(key, names, reason, silver.base)
        return
    per_day = counted["bronze"]
    bronze, quarantined = sum(rows for rows, _ in per_day.values()), quarantine.metrics.rows
    if ROW_ACCOUNTING in names:
        last_read = {day: read_at for day, (_, read_at) in per_day.items()}
        landed, files, late = landed_before_read(counted["landed"], last_read)
        duplicates = recorded_duplicates(context.instance, key, silver.window, bronze)
        acc = Accounting(landed, files, bronze, silver.metrics.rows, quarantined, duplicates, late)
        yield row_accounting_result(key, acc, silver.base)
    if QUARANTINE_SHARE in names:
        limits = load_dq_config().quarantine_share.for_source(source.name)
        by_reason = {k.split("/", 1)[1]: v for k, v in quarantine.metrics.extra.items()}
        yield quarantine_share_result(key, bronze, quarantined, by_reason, limits, silver.base)


def _bronze_rows(tables, key: AssetKey, window) -> dict | None:
    """{date: (rows, latest _ingested_at)} of the bronze window, in one Spark job."""
    try:
        frame = tables.read(key, PARTITION_COLUMN, window.start, window.end)
    except FileNotFoundError:
        return None
    rows = frame.groupBy(PARTITION_COLUMN).agg(F.count(F.lit(1)).alias("rows"), F.max("_ingested_at").alias("at"))
    return {r[PARTITION_COLUMN]: (int(r["rows"]), r["at"]) for r in rows.collect()}


def build_source_checks(source: Source) -> AssetsDefinition:
    silver_target, quarantine_target = source_targets(source)

    @multi_asset_check(
        name=f"{source.name}_quality", specs=specs_of((silver_target, quarantine_target)), can_subset=True,
        description=f"Contracts of silver/{source.name} and quarantine/{source.name}, row accounting, "
                    "quarantine share.",
    )
    def _source_checks(context: AssetCheckExecutionContext, spark: SparkResource):
        tables = tables_of(spark)
        silver_selected, quarantine_selected = silver_target.selected(context), quarantine_target.selected(context)
        counts_needed = bool(silver_selected & COUNT_CHECKS)
        window = check_window(context, silver_target)  # both tables hold the same landing dates
        tasks = {}
        if silver_selected:
            tasks["silver"] = lambda: measure_target(tables, silver_target, window)
        if quarantine_selected or counts_needed:
            tasks["quarantine"] = lambda: measure_target(tables, quarantine_target, window, extra=reason_counts)
        if counts_needed and window is not None:
            bronze_key = AssetKey(["bronze", source.name])
            tasks["bronze"] = lambda: _bronze_rows(tables, bronze_key, window)
        if ROW_ACCOUNTING in silver_selected and window is not None:
            tasks["landed"] = lambda: landed_files(spark.settings.landing_root, source.name, window.days)
        done = in_parallel(tasks)
        if silver_selected:
            yield from done["silver"].contract_results(silver_selected)
        if quarantine_selected:
            yield from done["quarantine"].contract_results(quarantine_selected)
        if counts_needed:
            yield from _count_results(context, source, done["silver"], done["quarantine"], done, silver_selected)

    return _source_checks


SOURCE_CHECKS = [build_source_checks(source) for source in SOURCES.values()]
