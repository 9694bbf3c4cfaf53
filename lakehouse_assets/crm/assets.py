"""The crm source's assets (SPEC §7): one step from the CRM database to silver/dim_contact,
and gold/sales_pipeline_monthly.

`crm` extracts both CRM tables into bronze (`extract.py`: watermark, overlap,
de-duplication), records the marks, then validates all of bronze into silver and
quarantine (the CRM is small next to the orders: silver is a function of bronze's rows,
rebuilt whole) and rebuilds dim_contact. The assets run in jobs of their own (`jobs.py`),
only when `LAKEHOUSE_CRM_JDBC_URL` is set, so runs without a CRM never need it.
"""


from datetime import UTC, date, datetime, timedelta

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    Config,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from lakehouse_assets.checks.audit import (
    audit_measured,
    audited_write,
    log_blocked,
    pending_measure,
    require_tables_of_checks,
)
from lakehouse_assets.checks.targets import Target, specs_of, target
from lakehouse_assets.checks.together import run_together
from lakehouse_assets.checks.windows import run_window
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.crm import checks
from lakehouse_assets.crm.extract import WATERMARKS, extract
from lakehouse_assets.io_managers.delta_io_manager import FULL_TABLE
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.partitions import days_of_month, monthly_partitions, single_run_backfill
from lakehouse_assets.resources.crm_db import CRM_UNTIL_TAG, CrmDatabase
from lakehouse_assets.resources.pii import PiiMasking
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import CRM_SOURCES
from lakehouse_assets.transforms import crm as crm_rows
from lakehouse_assets.transforms.masking import mask_pii
from lakehouse_assets.transforms.sales_pipeline import months_frame, sales_pipeline_monthly

KINDS = {"spark", "delta", "postgres"}
SILVER = {name: Target(AssetKey(["silver", name]), checks=(*target("silver", name).checks, checks.ROW_ACCOUNTING),
                       blocking=frozenset((*target("silver", name).blocking, checks.ROW_ACCOUNTING)))
          for name in CRM_SOURCES}
QUARANTINE = {name: Target(AssetKey(["quarantine", name]), blocking=frozenset()) for name in CRM_SOURCES}
DIM_CONTACT = target("silver", "dim_contact")
PIPELINE = target("gold", "sales_pipeline_monthly")


class CrmExtractConfig(Config):
    """until: the last business day to extract (rows with updated_at before the next day); empty:
    the run's `lakehouse/crm_until` tag, else now. full: read every row below the bound,
    ignoring the recorded marks."""

    until: str = ""
    full: bool = False


def extraction_bound(until: str) -> datetime:
    """The exclusive upper bound of updated_at: the end of day `until`, or now (UTC, naive)."""
    if until:
        return datetime.combine(date.fromisoformat(until) + timedelta(days=1), datetime.min.time())
    return datetime.now(UTC).replace(tzinfo=None)


def _out(layer: str, name: str, description: str, contract: bool = True) -> AssetOut:
    metadata = column_schema_metadata([layer, name]) if contract else {}
    return AssetOut(key=[layer, name], group_name=layer, is_required=False, kinds=KINDS, metadata=metadata,
                    description=description)


OUTS = {
    **{f"bronze__{n}": _out("bronze", n, f"Every row of {t} extracted so far, as text, one per (id, updated_at), "
                            "partitioned by the date of updated_at.", contract=False)
       for n, t in (("crm_contacts", "crm.contacts"), ("crm_deals", "crm.deals"))},
    "audit__source_watermarks": _out("audit", "source_watermarks",
                                     "High-water mark of each CRM table, recorded after its bronze commit."),
    "silver__crm_contacts": _out("silver", "crm_contacts", "Valid CRM contact records, PII masked."),
    "silver__crm_deals": _out("silver", "crm_deals", "Valid CRM deal records."),
    **{f"quarantine__{n}": _out("quarantine", n, f"{n} rows that failed a SPEC §3 rule, with the reason.")
       for n in CRM_SOURCES},
    "dim_contact": _out("silver", "dim_contact", "dim_contact: SCD type 2 of crm_contacts; deletion closes a version."),
}
CHECK_SPECS = [*specs_of([*SILVER.values(), *QUARANTINE.values(), DIM_CONTACT]),
               *[checks.bronze_spec(n) for n in CRM_SOURCES], checks.watermark_spec()]


@multi_asset(name="crm", outs=OUTS, check_specs=CHECK_SPECS, can_subset=False,
             internal_asset_deps={
                 "bronze__crm_contacts": set(), "bronze__crm_deals": set(),
                 "audit__source_watermarks": {AssetKey(["bronze", n]) for n in CRM_SOURCES},
                 **{f"{layer}__{n}": {AssetKey(["bronze", n])} for n in CRM_SOURCES
                    for layer in ("silver", "quarantine")},
                 "dim_contact": {AssetKey(["silver", "crm_contacts"])}},
             description="CRM tables over JDBC to bronze (incremental, watermark after commit), silver, "
                         "quarantine and dim_contact.")
def crm(context: AssetExecutionContext, config: CrmExtractConfig, spark: SparkResource, pii: PiiMasking,
        crm_db: CrmDatabase):
    require_tables_of_checks(context)
    settings = spark.settings
    tables = DeltaTables(spark.session, settings.lakehouse_root)
    until = extraction_bound(config.until or context.run.tags.get(CRM_UNTIL_TAG, ""))
    extracts, mark_commit = extract(spark.session, tables, crm_db, settings.crm, until, context.run.run_id,
                                    config.full)
    for e in extracts:
        context.log.info(f"{e.source}: read {e.rows_read} rows with updated_at in [{e.lower or '-inf'}, {until}), "
                         f"{e.rows_added} new to bronze, mark {e.high_water_mark}")
        yield Output(None, output_name=f"bronze__{e.source}", metadata=checks.extract_metadata(e))
        yield checks.bronze_result(e)
    yield Output(None, output_name="audit__source_watermarks",
                 metadata={"delta_version": mark_commit.version, "path": MetadataValue.path(mark_commit.path)})
    yield checks.watermark_result(tables.read(WATERMARKS), until, settings.crm.max_lag_hours)
    silver, cached = {}, []
    try:
        for name, source in CRM_SOURCES.items():
            silver[name] = yield from _validate(context, spark, pii, tables, name, source, cached)
        if silver.get("crm_contacts") is not None:
            yield from audited_write(context, DIM_CONTACT, crm_rows.dim_contact(silver["crm_contacts"]), None,
                                     output_name="dim_contact")
    finally:
        for frame in cached:
            frame.unpersist()


def _validate(context, spark: SparkResource, pii: PiiMasking, tables: DeltaTables, name: str, source,
              cached: list):
    """silver/<name> and quarantine/<name> from all of bronze/<name>, with row accounting."""
    if not tables.exists(["bronze", name]):
        context.log.warning(f"bronze/{name} does not exist yet: nothing extracted, nothing to validate")
        return None
    classified = crm_rows.classify(tables.read(["bronze", name]), source, spark.settings.currencies)
    classified.persist()  # counted, then read by silver and quarantine
    counts = crm_rows.accounting(classified)
    silver = crm_rows.silver_rows(classified, source)
    if source.pii:
        silver = mask_pii(spark.session, silver, pii.strategies(name), pii.key_material())
    silver = silver.persist()
    cached += [classified, silver]
    quarantine = crm_rows.quarantine_rows(classified, source)
    measured = run_together({"silver": pending_measure(SILVER[name], silver),
                             "quarantine": pending_measure(QUARANTINE[name], quarantine)})
    silver_results, silver_dated = audit_measured(context, SILVER[name], measured["silver"], None)
    quarantine_results, quarantine_dated = audit_measured(context, QUARANTINE[name], measured["quarantine"], None)
    silver_results.append(checks.accounting_result(SILVER[name].key, counts, silver_dated.total.rows,
                                                   quarantine_dated.total.rows))
    metadata = {f"accounting/{k}": v for k, v in counts.items()}
    context.log.info(f"{name} row accounting: {counts}")
    written = None
    if not log_blocked(context, SILVER[name], silver_results):
        yield Output(silver, output_name=f"silver__{name}", metadata=metadata)
        written = silver
    yield Output(quarantine, output_name=f"quarantine__{name}", metadata=metadata)
    yield from silver_results
    yield from quarantine_results
    return written


@asset(key=PIPELINE.key.path, group_name="gold", kinds={"spark", "delta"},
       metadata={"partition_expr": "month", **column_schema_metadata(PIPELINE.key.path)},
       ins={"deals": AssetIn(key=["silver", "crm_deals"], metadata=FULL_TABLE),
            "fx_rates": AssetIn(key=["silver", "fx_rates"], metadata=FULL_TABLE, partition_mapping=days_of_month)},
       check_specs=PIPELINE.specs(), partitions_def=monthly_partitions, backfill_policy=single_run_backfill,
       description="Deals per month, store and stage at the month's end, in USD, and the month's entries.")
def sales_pipeline_monthly_table(context: AssetExecutionContext, spark: SparkResource, deals, fx_rates):
    require_tables_of_checks(context)
    months = [date.fromisoformat(k) for k in context.partition_keys]
    rows = sales_pipeline_monthly(deals, fx_rates, months_frame(spark.session, months))
    yield from audited_write(context, PIPELINE, rows, run_window(context))


CRM_ASSETS = [crm, sales_pipeline_monthly_table]
