"""audit/dq_report: the data-quality report of a run's dates, readable in the UI.

Runs after the quarantine tables, the fact and the file audit (plain `deps`: it loads
no input), and so after the checks that gate them. Everything it shows comes from
Dagster's event log (`report_events`): each upstream check's outcome per date (a date's
own from the evaluation's `dq/by_date` when the check covered several dates), the same
for the checks of the crm and events sources' daily and unpartitioned tables (their own
jobs: the report lists what they last recorded, and leaves out a source none of whose
checks was ever evaluated on the instance), and the figures the writes recorded in their
materializations (quarantined rows by reason, fact rows). It reads no lakehouse table,
its own included, and shows
- a markdown table of every check and its outcome (metadata `report`), with the chart
  inline (a data URI: the UI shows it);
- a PNG of quarantined rows by reason and of the check pass rate over the recent dates,
  also written to `{lakehouse_root}/reports/dq/<dates>.png` (uploaded with boto3,
  server-side encrypted, when the root is on S3), linked as `chart`;
- numbers Dagster plots across partitions: `dq/pass_rate`, `dq/checks_failed`,
  `dq/quarantined_rows`, `dq/fact_rows`.
Its table gets one row per date and check (the IO manager replaces the run's dates).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from dagster import AssetExecutionContext, AssetKey, DagsterInstance, MetadataValue, asset
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from lakehouse_assets.checks.config import load_dq_config
from lakehouse_assets.checks.report_events import (
    check_evaluations,
    checks_of,
    latest_figures,
    report_asset_graph,
    upstream_checks,
)
from lakehouse_assets.checks.report_figures import (
    LatestFigures,
    figures_by_day,
    quarantine_values,
    row_count_values,
    totals_over,
)
from lakehouse_assets.checks.report_outcomes import CheckRef, outcomes_for, pass_rates, summarize
from lakehouse_assets.checks.report_render import markdown_report, render_chart
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.contracts import column_schema_metadata, contract_for
from lakehouse_assets.contracts.base import spark_type
from lakehouse_assets.crm.assets import CRM_ASSETS
from lakehouse_assets.events.assets import EVENT_ASSETS
from lakehouse_assets.partitions import daily_partitions, single_run_backfill
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.resources.storage_resource import LakehouseStorage
from lakehouse_assets.sources import SOURCES

REPORT_KEY = ["audit", "dq_report"]
REPORTS_DIR = "reports/dq"
FACT_KEY = AssetKey(["gold", "fact_sales"])
QUARANTINE_LAYER = "quarantine"
UPSTREAM = [AssetKey([QUARANTINE_LAYER, s]) for s in SOURCES] + [FACT_KEY, AssetKey(["audit", "ingested_files"])]
# The sources read where they live run in jobs of their own, not upstream of the report: their
# checks on daily and unpartitioned tables, taken from their asset definitions (not from the run's
# asset graph, which for a job executed in process holds only the job's assets). Monthly tables
# are left out, as the file sources' monthly marts are.
SOURCE_CHECKS: dict[str, list[CheckRef]] = {
    "crm": checks_of(CRM_ASSETS, [daily_partitions, None]),
    "events": checks_of(EVENT_ASSETS, [daily_partitions, None]),
}


def report_schema() -> T.StructType:
    columns = contract_for(REPORT_KEY).columns
    return T.StructType([T.StructField(name, spark_type(c), True) for name, c in columns.items()])


@dataclass(frozen=True)
class DqReport:
    """What the asset writes (`rows`) and shows (`metadata`, `chart`)."""

    rows: list[tuple]
    metadata: dict
    chart: bytes


def with_sources(checks: list[CheckRef], sources: Mapping[str, Sequence[CheckRef]], evaluations: Mapping
                 ) -> tuple[list[CheckRef], list[str]]:
    """`checks` and the checks of each source of `sources` that has an evaluation of any of its
    checks in `evaluations`; the names of the sources left out (never evaluated: not configured,
    or not run yet on this instance)."""
    listed, left_out = list(checks), []
    known = {c.key for c in checks}
    for name, refs in sources.items():
        own = [c for c in refs if c.key not in known]
        if not own:
            continue
        if not any(evaluations.get((c.asset_key, c.check_name)) for c in own):
            left_out.append(name)
            continue
        listed += own
        known.update(c.key for c in own)
    return listed, left_out


def build_report(instance: DagsterInstance, asset_graph, run_id: str | None, window: Window,
                 report_days: int, key: AssetKey = AssetKey(REPORT_KEY),
                 sources: Mapping[str, Sequence[CheckRef]] = SOURCE_CHECKS) -> DqReport:
    """The report of `window`'s dates for the asset `key`, from the event log of `instance` only:
    the checks on `key`'s upstream assets (this run's evaluations first), those of `sources` that
    were ever evaluated, and the latest materializations of its upstream quarantine tables and fact."""
    recent = Window(window.end - timedelta(days=max(report_days, len(window.days))), window.end)
    upstream_refs = upstream_checks(asset_graph, key)
    runs: dict = {}
    candidates: dict = {}
    for check in upstream_refs + [c for refs in sources.values() for c in refs]:
        candidates.setdefault(check.key, check)
    evaluations = check_evaluations(instance, candidates.values(), runs)
    checks, left_out = with_sources(upstream_refs, sources, evaluations)
    recent_outcomes = outcomes_for(checks, evaluations, recent.days, run_id)
    outcomes = [o for o in recent_outcomes if window.covers(o.day)]
    upstream = asset_graph.get_ancestor_asset_keys(key)
    quarantine: dict = {}
    for table in sorted((k for k in upstream if k.path[0] == QUARANTINE_LAYER and len(k.path) == 2),
                        key=lambda k: k.path):
        quarantine.update(latest_figures(instance, table, table.path[1], recent.days, quarantine_values, runs))
    fact: LatestFigures = latest_figures(instance, FACT_KEY, "fact", window.days, row_count_values, runs) \
        if FACT_KEY in upstream else {}
    quarantined, approximate = totals_over(quarantine, window)
    per_day, shared = figures_by_day(quarantine)
    chart = render_chart(recent.days, per_day, pass_rates(recent_outcomes), shared)
    summaries = summarize(outcomes)
    evaluated = [s for s in summaries if s.passed is not None]
    metadata = {
        "report": MetadataValue.md(markdown_report(window.label, summaries, quarantined, approximate, chart,
                                                   left_out)),
        "dq/pass_rate": round(sum(1 for s in evaluated if s.passed) / len(evaluated), 4) if evaluated else 0.0,
        "dq/checks_failed": sum(1 for s in evaluated if not s.passed),
        "dq/checks_not_evaluated": len(summaries) - len(evaluated),
        "dq/quarantined_rows": sum(quarantined.values()),
        "dq/fact_rows": sum(totals_over(fact, window)[0].values()),
    }
    return DqReport([o.row() for o in outcomes], metadata, chart)


def save_chart(storage: LakehouseStorage, label: str, png: bytes) -> str:
    """Store the PNG under the lakehouse root (server-side encrypted on S3); returns where."""
    target = f"{storage.lakehouse_root.rstrip('/')}/{REPORTS_DIR}/{label}.png"
    storage.lake.put_bytes(target, png, content_type="image/png")
    return target


@asset(
    key=REPORT_KEY,
    group_name="audit",
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    deps=UPSTREAM,  # ordering only: nothing is loaded
    metadata={"partition_expr": "date", "partition_by": False, **column_schema_metadata(REPORT_KEY)},
    description="Data-quality report of the run's dates: every check's outcome, quarantine by reason, a chart.",
    kinds={"spark", "delta"},
)
def dq_report(context: AssetExecutionContext, spark: SparkResource, storage: LakehouseStorage) -> DataFrame:
    time_window = context.partition_time_window
    window = Window(time_window.start.date(), time_window.end.date())
    report = build_report(context.instance, report_asset_graph(context), context.run.run_id, window,
                          load_dq_config().report_days)
    chart = save_chart(storage, window.label, report.chart)
    context.add_output_metadata({**report.metadata, "chart": MetadataValue.path(chart)})
    return spark.session.createDataFrame(report.rows, report_schema())
