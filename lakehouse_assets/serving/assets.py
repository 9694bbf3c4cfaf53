"""serving/<mart>: the gold marts exported to the mart database (SPEC §6), each checked there.

A monthly asset has its gold table's partitions and exports each month of its run in
a transaction of its own (`export.py`); customer lifetime value is replaced whole.
After the export, the rows and money totals in the database are compared with the
gold rows they came from (`checks.py`). The assets are in the `serving` group, run
by their own jobs (`jobs.py`), so the lakehouse's jobs never need the database.
"""


from datetime import date

from dagster import AssetExecutionContext, AssetIn, AssetsDefinition, Failure, MaterializeResult, asset
from pyspark.sql import DataFrame

from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE
from lakehouse_assets.partitions import monthly_partitions, single_run_backfill
from lakehouse_assets.resources.mart_db import MartDatabase
from lakehouse_assets.serving import migrate
from lakehouse_assets.serving.checks import check_mart, check_specs
from lakehouse_assets.serving.export import export
from lakehouse_assets.serving.tables import LIFETIME_MART, MONTH, MONTHLY_MARTS, SERVING_LAYER, ServedMart

KINDS = {"spark", "mysql"}


def run_months(context: AssetExecutionContext) -> list[date]:
    """The months of a monthly run (one partition or a range)."""
    return [date.fromisoformat(key) for key in context.partition_keys]


def require_schema(db: MartDatabase) -> None:
    """Fail (not retried) when the database lacks a migration: exports need the current tables."""
    latest = migrate.migrations()[-1].version
    current = migrate.current_version(db)
    if current is None or current < latest:
        raise Failure(description=f"the mart database {db.database} is at schema version {current}, not "
                                  f"{latest}: run `lakehouse mart migrate` (or `lakehouse run`, which migrates)",
                      allow_retries=False)


def serve(context: AssetExecutionContext, db: MartDatabase, mart: ServedMart, gold: DataFrame,
          months: list[date] | None):
    """Export `months` (None: the whole table) of `gold`, then check the database against it."""
    require_schema(db)
    exported = []
    for month in months if months is not None else [None]:
        rows = gold if month is None else gold.where(gold[MONTH] == month)
        result = export(db, mart, rows, month)
        context.log.info(f"{mart.name} {month or ''}: {result.rows_deleted} rows replaced by "
                         f"{result.rows_inserted} in one transaction")
        exported.append(result)
    return MaterializeResult(
        metadata={"dagster/row_count": sum(r.rows_inserted for r in exported),
                  "rows_deleted": sum(r.rows_deleted for r in exported),
                  "table": f"{db.database}.{mart.name}",
                  "months": ", ".join(f"{r.month:%Y-%m}" for r in exported if r.month) or "(whole table)"},
        check_results=check_mart(db, mart, gold, months),
    )


def monthly_serving_asset(mart: ServedMart) -> AssetsDefinition:
    @asset(key=mart.key.path, group_name=SERVING_LAYER, kinds=KINDS, partitions_def=monthly_partitions,
           backfill_policy=single_run_backfill, ins={"gold": AssetIn(key=mart.gold_key.path)},
           check_specs=check_specs(mart), metadata=column_schema_metadata(mart.gold_key.path),
           description=f"{mart.description} In the mart database, a month replaced per transaction.")
    def _serving(context: AssetExecutionContext, mart_db: MartDatabase, gold: DataFrame) -> MaterializeResult:
        return serve(context, mart_db, mart, gold, run_months(context))

    return _serving


@asset(key=LIFETIME_MART.key.path, group_name=SERVING_LAYER, kinds=KINDS,
       ins={"gold": AssetIn(key=LIFETIME_MART.gold_key.path, metadata=FULL_TABLE)},
       check_specs=check_specs(LIFETIME_MART), metadata=column_schema_metadata(LIFETIME_MART.gold_key.path),
       description=f"{LIFETIME_MART.description} In the mart database, replaced whole in one transaction.")
def serving_customer_lifetime_value(context: AssetExecutionContext, mart_db: MartDatabase,
                                    gold: DataFrame) -> MaterializeResult:
    return serve(context, mart_db, LIFETIME_MART, gold, None)


SERVING_ASSETS = [*(monthly_serving_asset(m) for m in MONTHLY_MARTS), serving_customer_lifetime_value]
