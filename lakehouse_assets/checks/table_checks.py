"""Check steps of the dimensions, the fact, the marts and audit/ingested_files.

One step per group of tables that a run builds together (the five dimensions,
the fact, the three monthly marts, lifetime value, the file audit): fewer steps
cost less, and `can_subset` lets a run that builds only some of them check only
those. Contract checks are ERROR and blocking; the fact's other checks are WARN.
"""

from datetime import datetime, timezone

from dagster import AssetCheckExecutionContext, multi_asset_check

from lakehouse_assets.checks.config import load_dq_config
from lakehouse_assets.checks.engine import (
    check_window, contract_checks, in_parallel, measure_target, specs_of, tables_of, target,
)
from lakehouse_assets.checks.fact import (
    fact_aggregates, freshness_result, fx_coverage_result, referential_integrity_result, volume_anomaly_result,
)
from lakehouse_assets.checks.history import partition_row_counts
from lakehouse_assets.checks.results import (
    CONTRACT_CHECKS, FRESHNESS, FX_COVERAGE, REFERENTIAL_INTEGRITY, VOLUME_ANOMALY, missing_table_results,
)
from lakehouse_assets.partitions import daily_partitions, monthly_partitions
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.transforms.dimensions import DIMENSIONS

DIMENSION_TARGETS = [target("silver", table) for table in DIMENSIONS] + [
    target("silver", "dim_date", partitions_def=daily_partitions)]
FACT_WARN_CHECKS = (REFERENTIAL_INTEGRITY, FX_COVERAGE, FRESHNESS, VOLUME_ANOMALY)
FACT_TARGET = target("gold", "fact_sales", checks=(*CONTRACT_CHECKS, *FACT_WARN_CHECKS),
                     partitions_def=daily_partitions)
AUDIT_TARGETS = [target("audit", "ingested_files", partitions_def=daily_partitions)]
MART_TARGETS = [target("gold", t, partitions_def=monthly_partitions)
                for t in ("customer_monthly_sales", "sales_team_monthly", "category_monthly_revenue")]
LIFETIME_TARGETS = [target("gold", "customer_lifetime_value")]


@multi_asset_check(name="dimensions_quality", specs=specs_of(DIMENSION_TARGETS), can_subset=True,
                   description="Contracts of the five dimensions (SCD2 validity, one current version, keys).")
def dimensions_quality(context: AssetCheckExecutionContext, spark: SparkResource):
    yield from contract_checks(context, spark, DIMENSION_TARGETS)


@multi_asset_check(name="fact_sales_quality", specs=specs_of([FACT_TARGET]), can_subset=True,
                   description="Contract of gold/fact_sales, unknown keys, FX coverage, freshness, volume.")
def fact_sales_quality(context: AssetCheckExecutionContext, spark: SparkResource):
    selected, tables = FACT_TARGET.selected(context), tables_of(spark)
    key, config = FACT_TARGET.key, load_dq_config()
    window = check_window(context, FACT_TARGET)
    tasks = {"fact": lambda: measure_target(tables, FACT_TARGET, window, extra=lambda f: fact_aggregates(f.columns))}
    if selected & {FRESHNESS, VOLUME_ANOMALY} and tables.exists(key):
        tasks["counts"] = lambda: partition_row_counts(spark.session, tables.path(key), "order_date")
    done = in_parallel(tasks)
    fact = done["fact"]
    yield from fact.contract_results(selected)
    warn_checks = [n for n in FACT_WARN_CHECKS if n in selected]
    if fact.metrics is None or fact.window is None:  # (no table: no partition counts either)
        yield from missing_table_results(key, warn_checks, fact.error or "no dates to check", fact.base)
        return
    rows, extra, base = fact.metrics.rows, fact.metrics.extra, fact.base
    if REFERENTIAL_INTEGRITY in selected:
        yield referential_integrity_result(key, rows, extra, config.max_unknown_share, base)
    if FX_COVERAGE in selected:
        yield fx_coverage_result(key, rows, extra, config.max_null_fx_share, base)
    if FRESHNESS in selected:
        today = datetime.now(timezone.utc).date()
        yield freshness_result(key, done["counts"], today, config.max_age_days, base)
    if VOLUME_ANOMALY in selected:
        yield volume_anomaly_result(key, fact.window, done["counts"], config.volume, base)


@multi_asset_check(name="ingested_files_quality", specs=specs_of(AUDIT_TARGETS), can_subset=True,
                   description="Contract of audit/ingested_files.")
def ingested_files_quality(context: AssetCheckExecutionContext, spark: SparkResource):
    yield from contract_checks(context, spark, AUDIT_TARGETS)


@multi_asset_check(name="monthly_marts_quality", specs=specs_of(MART_TARGETS), can_subset=True,
                   description="Contracts of the monthly marts (keys, one top performer per store).")
def monthly_marts_quality(context: AssetCheckExecutionContext, spark: SparkResource):
    yield from contract_checks(context, spark, MART_TARGETS)


@multi_asset_check(name="lifetime_value_quality", specs=specs_of(LIFETIME_TARGETS), can_subset=True,
                   description="Contract of gold/customer_lifetime_value (averages, segments).")
def lifetime_value_quality(context: AssetCheckExecutionContext, spark: SparkResource):
    yield from contract_checks(context, spark, LIFETIME_TARGETS)


TABLE_CHECKS = [dimensions_quality, fact_sales_quality, ingested_files_quality, monthly_marts_quality,
                lifetime_value_quality]
