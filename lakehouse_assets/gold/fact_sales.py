"""gold/fact_sales: one row per silver order line, with dimension keys and USD amounts.

The fact is measured on its cached rows before it is written (write-audit-publish):
a broken contract leaves the table's previous rows in place; the WARN checks
(unknown keys, FX coverage, freshness, volume) report and let the run go on.
"""

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime

from dagster import AssetExecutionContext, AssetIn, AssetKey, Output, asset
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from lakehouse_assets.checks.audit import audit_measured, dated_results, log_blocked, pending_measure
from lakehouse_assets.checks.config import load_dq_config
from lakehouse_assets.checks.fact import (
    fact_aggregates,
    freshness_result,
    fx_coverage_result,
    referential_integrity_result,
    volume_anomaly_result,
)
from lakehouse_assets.checks.history import partition_row_counts
from lakehouse_assets.checks.metrics import DatedMetrics, TableMetrics
from lakehouse_assets.checks.results import (
    CONTRACT_CHECKS,
    FRESHNESS,
    FX_COVERAGE,
    REFERENTIAL_INTEGRITY,
    VOLUME_ANOMALY,
)
from lakehouse_assets.checks.targets import target
from lakehouse_assets.checks.together import Pending, run_together
from lakehouse_assets.checks.windows import Window, run_window
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.partitions import daily_partitions, single_run_backfill
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.transforms.fact import (
    FACT_COLUMNS,
    build_fact_sales_with_flags,
    fact_count_columns,
    fact_counts_of,
)

WARN_CHECKS = (REFERENTIAL_INTEGRITY, FX_COVERAGE, FRESHNESS, VOLUME_ANOMALY)
FACT = target("gold", "fact_sales", checks=(*CONTRACT_CHECKS, *WARN_CHECKS))


def daily_volume(spark: SparkResource, window: Window, dated: DatedMetrics) -> dict[date, int]:
    """Rows per order_date: the table's history from its Delta log, with this run's dates replaced."""
    tables = DeltaTables(spark.session, spark.settings.lakehouse_root)
    counts = (partition_row_counts(spark.session, tables.path(FACT.key), "order_date")
              if tables.exists(FACT.key) else {})
    counts = {d: n for d, n in counts.items() if not window.covers(d)}
    counts.update({d: m.rows for d, m in dated.by_date.items()})
    return counts


def warn_results(spark: SparkResource, window: Window, dated: DatedMetrics, base: Mapping) -> list:
    """The fact's WARN checks: the first two per date, the last two over the table's history."""
    config = load_dq_config()
    key = FACT.key

    def shares(metrics: TableMetrics, base_: Mapping):
        yield referential_integrity_result(key, metrics.rows, metrics.extra, config.max_unknown_share, base_)
        yield fx_coverage_result(key, metrics.rows, metrics.extra, config.max_null_fx_share, base_)

    counts = daily_volume(spark, window, dated)
    today = datetime.now(UTC).date()
    return [*dated_results(shares, dated, base),
            freshness_result(key, counts, today, config.max_age_days, base),
            volume_anomaly_result(key, window, counts, config.volume, base)]


@asset(
    key=FACT.key.path,
    group_name="gold",
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    ins={
        "orders": AssetIn(key=["silver", "orders"]),
        "dim_customer": AssetIn(key=["silver", "dim_customer"], metadata=FULL_TABLE),
        "dim_product": AssetIn(key=["silver", "dim_product"], metadata=FULL_TABLE),
        "dim_store": AssetIn(key=["silver", "dim_store"], metadata=FULL_TABLE),
        "dim_sales_person": AssetIn(key=["silver", "dim_sales_person"], metadata=FULL_TABLE),
        "fx_rates": AssetIn(key=["silver", "fx_rates"], metadata=FULL_TABLE),
    },
    deps=[AssetKey(["silver", "dim_date"])],
    check_specs=FACT.specs(),
    metadata={"partition_expr": "order_date", **column_schema_metadata(["gold", "fact_sales"])},
    description="Sales fact: order lines with the dimension versions valid at order time and USD amounts.",
    kinds={"spark", "delta"},
)
def fact_sales(
    context: AssetExecutionContext, spark: SparkResource, orders: DataFrame, dim_customer: DataFrame,
    dim_product: DataFrame, dim_store: DataFrame, dim_sales_person: DataFrame, fx_rates: DataFrame,
) -> Iterator:
    window = run_window(context)
    fact = build_fact_sales_with_flags(orders, dim_customer, dim_product, dim_store, dim_sales_person, fx_rates,
                                       window.days)
    # The lookup counts, the checks and the write read the same rows: compute them once;
    # the counts and the checks' figures come from one Spark query.
    fact.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        rows = fact.select(*FACT_COLUMNS)
        measured = run_together({
            "lookups": Pending(fact.agg(*fact_count_columns(fact)), lambda found: fact_counts_of(found[0])),
            "fact": pending_measure(FACT, rows, extra=fact_aggregates(list(FACT_COLUMNS))),
        })
        lookups = {f"lookups/{name}": value for name, value in measured["lookups"].items()}
        results, _ = audit_measured(context, FACT, measured["fact"], window,
                                    more=lambda dated, base: warn_results(spark, window, dated, base))
        if not log_blocked(context, FACT, results):
            # Yielded, so the IO manager writes before the cache is released.
            yield Output(rows, metadata=lookups)
        yield from results
    finally:
        fact.unpersist()
