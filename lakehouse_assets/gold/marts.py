"""gold marts: monthly partitions mapped from the daily fact, and customer lifetime value.

Each monthly partition is a pure function of its month's fact rows (the IO manager
loads exactly the days of the month), so a late day or a re-run gives the same
answer as a fresh build. The three monthly marts share one step and are measured
against their contracts in one Spark query before they are written; each mart is
cached (it is small) and read by that query and by its write. The fact is not cached:
each mart's aggregation reads its month's fact files with only the columns it needs,
which on a 1 GB day cost 52 s against 122 s for caching every column of the fact
first (docs/performance.md).
"""

from collections.abc import Callable

from dagster import AssetExecutionContext, AssetIn, AssetKey, AssetOut, asset, multi_asset
from pyspark.sql import DataFrame

from lakehouse_assets.checks.audit import audited_write, audited_writes, require_tables_of_checks
from lakehouse_assets.checks.targets import specs_of, target
from lakehouse_assets.checks.windows import run_window
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE
from lakehouse_assets.partitions import days_of_month, monthly_partitions, single_run_backfill
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.transforms import marts

MONTHLY = {
    "customer_monthly_sales": "Coupon mart: monthly orders, units and USD spend per customer.",
    "sales_team_monthly": "Monthly sales per sales person and store, rank in store, top performer's incentive.",
    "category_monthly_revenue": "Monthly USD revenue, units, orders and customers per product category.",
}
TARGETS = {table: target("gold", table) for table in MONTHLY}
LIFETIME = target("gold", "customer_lifetime_value")


@multi_asset(
    name="monthly_mart_tables",
    outs={table: AssetOut(key=["gold", table], group_name="gold", is_required=False, kinds={"spark", "delta"},
                          metadata={"partition_expr": "month", **column_schema_metadata(["gold", table])},
                          description=description)
          for table, description in MONTHLY.items()},
    ins={"fact": AssetIn(key=["gold", "fact_sales"], partition_mapping=days_of_month),
         "dim_product": AssetIn(key=["silver", "dim_product"], metadata=FULL_TABLE, partition_mapping=days_of_month)},
    internal_asset_deps={
        "customer_monthly_sales": {AssetKey(["gold", "fact_sales"])},
        "sales_team_monthly": {AssetKey(["gold", "fact_sales"])},
        "category_monthly_revenue": {AssetKey(["gold", "fact_sales"]), AssetKey(["silver", "dim_product"])},
    },
    check_specs=specs_of(TARGETS.values()),
    partitions_def=monthly_partitions,
    backfill_policy=single_run_backfill,
    can_subset=True,
    description="The monthly marts of the months in the run, measured together before they are written.",
)
def monthly_mart_tables(context: AssetExecutionContext, lakehouse: LakehouseSettings, fact: DataFrame,
                        dim_product: DataFrame):
    require_tables_of_checks(context)
    window = run_window(context)
    builders: dict[str, Callable[[], DataFrame]] = {
        "customer_monthly_sales": lambda: marts.customer_monthly_sales(fact),
        "sales_team_monthly": lambda: marts.sales_team_monthly(fact, lakehouse.settings.incentive_rate),
        "category_monthly_revenue": lambda: marts.category_monthly_revenue(fact, dim_product),
    }
    yield from audited_writes(context, {table: (TARGETS[table], build()) for table, build in builders.items()
                                        if TARGETS[table].key in context.selected_asset_keys}, window)


@asset(key=LIFETIME.key.path, group_name="gold", kinds={"spark", "delta"},
       metadata=column_schema_metadata(LIFETIME.key.path),
       ins={"fact": AssetIn(key=["gold", "fact_sales"], metadata=FULL_TABLE)},
       check_specs=LIFETIME.specs(),
       description="Lifetime USD spend, order count, average order value and segment per customer.")
def customer_lifetime_value(context: AssetExecutionContext, fact: DataFrame):
    yield from audited_write(context, LIFETIME, marts.customer_lifetime_value(fact), None)


