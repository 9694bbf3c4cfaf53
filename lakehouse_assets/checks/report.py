"""audit/dq_report: the data-quality report of a run's dates, readable in the UI.

Runs after the quarantine tables, the fact and the file audit, and so after the
check steps that gate them; it reads each daily check's latest outcome from the
Dagster instance and the quarantine tables, and shows
- a markdown table of every check and its outcome (metadata `report`);
- a PNG of quarantined rows by reason and of the check pass rate over the recent
  dates, written to `{lakehouse_root}/reports/dq/<dates>.png` (uploaded with
  boto3, server-side encrypted, when the root is on S3), linked as `chart`;
- numbers Dagster plots across partitions: `dq/pass_rate`, `dq/checks_failed`,
  `dq/quarantined_rows`, `dq/fact_rows`.
Its table holds one row per date and check, so the chart's history survives an
ephemeral Dagster instance (`lakehouse run` without DAGSTER_HOME).
"""

import tempfile
from datetime import timedelta
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MetadataValue, asset
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from lakehouse_assets.checks.config import load_dq_config
from lakehouse_assets.checks.engine import in_parallel
from lakehouse_assets.checks.report_data import (
    earlier_pass_rates, latest_outcomes, latest_per_check, pass_rates, quarantine_by_reason,
)
from lakehouse_assets.checks.report_render import markdown_report, render_chart
from lakehouse_assets.checks.source_checks import SOURCE_CHECKS
from lakehouse_assets.checks.table_checks import dimensions_quality, fact_sales_quality, ingested_files_quality
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.contracts import column_schema_metadata, contract_for
from lakehouse_assets.contracts.base import spark_type
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.partitions import daily_partitions, single_run_backfill
from lakehouse_assets.resources.landing import is_s3, s3_client, split_s3
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import SOURCES

REPORT_KEY = ["audit", "dq_report"]
REPORTS_DIR = "reports/dq"
DAILY_CHECKS = [*SOURCE_CHECKS, dimensions_quality, fact_sales_quality, ingested_files_quality]


def daily_check_specs() -> list:
    """Every check a daily run evaluates: these and the bronze checks (imported here: they import
    this package)."""
    from lakehouse_assets.bronze.checks import BRONZE_CHECKS

    return [spec for checks in [*BRONZE_CHECKS, *DAILY_CHECKS] for spec in checks.check_specs]
UPSTREAM = [AssetKey(["quarantine", s]) for s in SOURCES] + [
    AssetKey(["gold", "fact_sales"]), AssetKey(["audit", "ingested_files"])]


def report_schema() -> T.StructType:
    columns = contract_for(REPORT_KEY).columns
    return T.StructType([T.StructField(name, spark_type(c), True) for name, c in columns.items()])


def save_chart(lakehouse_root: str, label: str, write, encryption_args: dict) -> str:
    """Render with `write(local_path)` and store it under the lakehouse root; returns where."""
    target = f"{lakehouse_root.rstrip('/')}/{REPORTS_DIR}/{label}.png"
    if not is_s3(target):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        write(target)
        return target
    with tempfile.TemporaryDirectory() as tmp:
        local = str(Path(tmp) / "chart.png")
        write(local)
        bucket, key = split_s3(target)
        with open(local, "rb") as body:
            s3_client().put_object(Bucket=bucket, Key=key, Body=body, ContentType="image/png", **encryption_args)
    return target


@asset(
    key=REPORT_KEY,
    group_name="audit",
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    deps=UPSTREAM,
    metadata={"partition_expr": "date", "partition_by": False, **column_schema_metadata(REPORT_KEY)},
    description="Data-quality report of the run's dates: every check's outcome, quarantine by reason, a chart.",
    kinds={"spark", "delta"},
)
def dq_report(context: AssetExecutionContext, spark: SparkResource) -> DataFrame:
    time_window = context.partition_time_window
    window = Window(time_window.start.date(), time_window.end.date())
    tables = DeltaTables(spark.session, spark.settings.lakehouse_root)
    recent = Window(window.end - timedelta(days=max(load_dq_config().report_days, len(window.days))), window.end)
    outcomes = latest_outcomes(context.instance, daily_check_specs(), window)
    read = in_parallel({"quarantine": lambda: quarantine_by_reason(tables, recent),
                        "earlier": lambda: earlier_pass_rates(tables, REPORT_KEY, Window(recent.start, window.start))})
    quarantine, rates = read["quarantine"], {**read["earlier"], **pass_rates(outcomes)}
    chart = save_chart(spark.settings.lakehouse_root, window.label,
                       lambda path: render_chart(path, recent.days, quarantine, rates),
                       spark.settings.s3_encryption.boto3_args())
    latest = latest_per_check(outcomes)
    evaluated = [o for o in latest if o.passed is not None]
    fact_rows = [o.metadata.get("rows") for o in latest
                 if o.asset_key == "gold/fact_sales" and o.check_name == "contract"]
    context.add_output_metadata({
        "report": MetadataValue.md(markdown_report(window.label, outcomes, {
            k: v for k, v in quarantine.items() if window.covers(k[0])})),
        "chart": MetadataValue.path(chart),
        "dq/pass_rate": round(sum(1 for o in evaluated if o.passed) / len(evaluated), 4) if evaluated else 0.0,
        "dq/checks_failed": sum(1 for o in evaluated if not o.passed),
        "dq/checks_not_evaluated": len(latest) - len(evaluated),
        "dq/quarantined_rows": sum(n for (day, _, _), n in quarantine.items() if window.covers(day)),
        "dq/fact_rows": int(sum(r for r in fact_rows if isinstance(r, int))),
    })
    return spark.session.createDataFrame([o.row() for o in outcomes], report_schema())
