"""The ingest step: every source's bronze, silver and quarantine, and audit/ingested_files.

One Dagster step for the landing layer of a date window: the tables keep their own
asset keys (and their checks show on them), but one Spark plan per source reads its
files once, the figures and checks of every source come from one Spark query, and the
small master-data sources cost no step of their own. Each source's bronze is written
as its part finishes; every source's silver and quarantine, and the inventory, are
written together at the end (`io_managers/step_writes.py`). While the measure query runs,
the Delta state of the tables already there is loaded on a thread (`DeltaTables.warm`), so
a day's writes into them do not each start by building it. A run may select any subset
(`can_subset`): a source's silver without its bronze reads bronze from the lakehouse.
"""


from collections import Counter

from dagster import AssetExecutionContext, AssetKey, AssetOut, MetadataValue, multi_asset

from lakehouse_assets.checks.audit import audit, log_blocked, require_tables_of_checks
from lakehouse_assets.checks.config import load_dq_config
from lakehouse_assets.checks.targets import Target, specs_of
from lakehouse_assets.checks.together import run_together
from lakehouse_assets.checks.windows import Window, run_window
from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.ingest.inventory import STATUS, inventory_frame, inventory_rows
from lakehouse_assets.ingest.source_step import bronze_alone, finish_source, plan_source, wants
from lakehouse_assets.ingest.targets import SourceTargets, output_name
from lakehouse_assets.io_managers.step_writes import StepWrites
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.partitions import daily_partitions, single_run_backfill
from lakehouse_assets.resources.landing import list_landing_files
from lakehouse_assets.resources.pii import PiiMasking
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import SOURCES, Source
from lakehouse_assets.transforms.conform import silver_partition_column

INVENTORY = Target(AssetKey(["audit", "ingested_files"]))
INVENTORY_OUT = "audit__ingested_files"
TARGETS = {name: SourceTargets(source) for name, source in SOURCES.items()}
SILVER_DESCRIPTIONS = {
    "orders": "Valid, typed, de-duplicated order lines with order_date and net_amount.",
    "fx_rates": "Valid daily FX rates to USD (USD is always 1).",
}


def _outs(source: Source) -> dict[str, AssetOut]:
    name, common = source.name, {"kinds": {"spark", "delta"}, "is_required": False}
    return {
        output_name("bronze", name): AssetOut(
            key=["bronze", name], group_name="bronze", metadata={"partition_expr": PARTITION_COLUMN},
            description=f"Every data line of the {name} landing files, as text, with lineage.", **common),
        output_name("silver", name): AssetOut(
            key=["silver", name], group_name="silver",
            metadata={"partition_expr": silver_partition_column(source), **column_schema_metadata(["silver", name])},
            description=SILVER_DESCRIPTIONS.get(name, f"Valid, typed, de-duplicated {name} change records."),
            **common),
        output_name("quarantine", name): AssetOut(
            key=["quarantine", name], group_name="quarantine",
            metadata={"partition_expr": PARTITION_COLUMN, **column_schema_metadata(["quarantine", name])},
            description=f"{name} rows that failed a SPEC §3 rule, as landed, with the reason.", **common),
    }


OUTS = {out: spec for source in SOURCES.values() for out, spec in _outs(source).items()}
OUTS[INVENTORY_OUT] = AssetOut(
    key=INVENTORY.key.path, group_name="audit", is_required=False, kinds={"spark", "delta"},
    metadata={"partition_expr": "partition_date", "partition_by": False,
              **column_schema_metadata(INVENTORY.key.path)},
    description="One row per landing file seen: path, size, content hash, rows, status, run.")
CHECK_SPECS = specs_of([t for targets in TARGETS.values() for t in (targets.bronze, targets.silver,
                                                                      targets.quarantine)] + [INVENTORY])


@multi_asset(
    name="ingest",
    outs=OUTS,
    check_specs=CHECK_SPECS,
    internal_asset_deps={
        **{output_name(layer, name): {AssetKey(["bronze", name])} for name in SOURCES
           for layer in ("silver", "quarantine")},
        **{output_name("bronze", name): set() for name in SOURCES},
        INVENTORY_OUT: {AssetKey(["bronze", name]) for name in SOURCES},
    },
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    can_subset=True,
    description="Landing files to bronze, SPEC §3 validation to silver and quarantine, the file audit.",
)
def ingest(context: AssetExecutionContext, spark: SparkResource, pii: PiiMasking):
    require_tables_of_checks(context)
    window = run_window(context)
    config = load_dq_config()
    want_inventory = INVENTORY.key in context.selected_asset_keys
    found, planned, warming = {}, {}, None
    writes = StepWrites(context)
    try:
        for name, targets in TARGETS.items():
            want = wants(context, targets)
            if not (any(want.values()) or want_inventory):
                continue
            files = list_landing_files(spark.settings.landing_root, name, window.days)
            if want["bronze"] and not (want["silver"] or want["quarantine"]):
                found[name] = yield from bronze_alone(context, spark, targets, files, window)
            else:
                planned[name] = plan_source(context, spark, pii, targets, want, files, window)
        # Existing tables' Delta state is loaded on a thread while the query runs (day N's writes).
        warming = DeltaTables(spark.session, spark.settings.lakehouse_root).warm(
            [key for name in planned for key in TARGETS[name].keys()] + [INVENTORY.key])
        # Every planned source's figures and contract metrics: one Spark query for all.
        measured = run_together({f"{name}/{part}": pending for name, source in planned.items()
                                 for part, pending in source.pending.items()})
        for name, source in planned.items():
            figures = {part: measured[f"{name}/{part}"] for part in source.pending}
            found[name] = yield from finish_source(context, spark, pii, source, figures, window, config, writes)
        if want_inventory:
            _add_inventory(context, spark, found, window, writes)
        # Every source's silver and quarantine, and the inventory, written together.
        yield from writes.flush()
    finally:
        if warming is not None:
            warming.result()  # no thread of the step outlives it
        for source in planned.values():
            source.release()


def _add_inventory(context: AssetExecutionContext, spark: SparkResource, found: dict, window: Window,
                   writes: StepWrites) -> None:
    """audit/ingested_files from what each source's part found, measured, added to `writes`."""
    rows = [row for result in found.values() if result is not None
            for row in inventory_rows(result.files, result.figures.files, result.hashes, context.run.run_id)]
    frame = inventory_frame(spark.session, rows)
    results, _ = audit(context, INVENTORY, frame, window)
    if not log_blocked(context, INVENTORY, results):
        statuses = Counter(row[STATUS] for row in rows)
        writes.add(INVENTORY_OUT, frame,
                   {"files_seen": len(rows), "files_by_status": MetadataValue.json(dict(statuses))})
    writes.after(results)
