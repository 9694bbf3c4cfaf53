"""silver/<source> and quarantine/<source>: SPEC §3 validation of a bronze partition.

One multi-asset per source writes both tables from a single classification, so
every bronze row lands in exactly one of silver, quarantine or the duplicate count,
and the row accounting is reported on both outputs.
"""

from dagster import AssetExecutionContext, AssetIn, AssetOut, AssetsDefinition, Output, multi_asset
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from lakehouse_assets.bronze.ingest import PARTITION_COLUMN
from lakehouse_assets.contracts import column_schema_metadata
from lakehouse_assets.partitions import daily_partitions, single_run_backfill
from lakehouse_assets.resources.pii import PiiMasking
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import SOURCES, Source
from lakehouse_assets.transforms.conform import quarantine_rows, silver_partition_column, silver_rows
from lakehouse_assets.transforms.validation import accounting, classify

SILVER_DESCRIPTIONS = {
    "orders": "Valid, typed, de-duplicated order lines with order_date and net_amount.",
    "fx_rates": "Valid daily FX rates to USD (USD is always 1).",
}


def build_validated_assets(source: Source) -> AssetsDefinition:
    decorate = multi_asset(
        name=f"validate_{source.name}",
        outs={
            "silver": AssetOut(
                key=["silver", source.name], group_name="silver", kinds={"spark", "delta"},
                metadata={"partition_expr": silver_partition_column(source),
                          **column_schema_metadata(["silver", source.name])},
                description=SILVER_DESCRIPTIONS.get(
                    source.name, f"Valid, typed, de-duplicated {source.name} change records."),
            ),
            "quarantine": AssetOut(
                key=["quarantine", source.name], group_name="quarantine", kinds={"spark", "delta"},
                metadata={"partition_expr": PARTITION_COLUMN, **column_schema_metadata(["quarantine", source.name])},
                description=f"{source.name} rows that failed a SPEC §3 rule, as landed, with the reason.",
            ),
        },
        ins={"bronze": AssetIn(key=["bronze", source.name])},
        partitions_def=daily_partitions,
        backfill_policy=single_run_backfill,
    )

    if source.pii:
        # PII sources take the masking resource, so its keys are checked at run start.
        def _validate_masked(context: AssetExecutionContext, spark: SparkResource, pii: PiiMasking, bronze: DataFrame):
            yield from validated_outputs(context, spark, bronze, source, pii)

        return decorate(_validate_masked)

    def _validate(context: AssetExecutionContext, spark: SparkResource, bronze: DataFrame):
        yield from validated_outputs(context, spark, bronze, source)

    return decorate(_validate)


def validated_outputs(context: AssetExecutionContext, spark: SparkResource, bronze: DataFrame,
                      source: Source, pii: PiiMasking | None = None):
    """Classify a bronze window once; yield its silver (masked where PII) and quarantine rows."""
    classified = classify(bronze, source, spark.settings.currencies)
    # Three actions read the classification (accounting, two writes): compute it once.
    # Dagster hands each yielded Output to the IO manager before the generator resumes, so
    # the cache is released once both tables are written (or the step fails).
    classified.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts = accounting(classified)
        balanced = counts["bronze"] == counts["silver"] + counts["quarantine"] + counts["duplicate"]
        context.log.info(f"{source.name} row accounting: {counts}")
        row_accounting = {f"accounting/{k}": v for k, v in counts.items()}
        row_accounting["accounting/balanced"] = balanced
        silver, silver_metadata = silver_rows(classified, source), dict(row_accounting)
        if pii is not None:
            silver = pii.mask(spark.session, silver, source.name)
            silver_metadata["pii/masked_columns"] = ", ".join(
                f"{c}: {s}" for c, s in pii.strategies(source.name).items())
        yield Output(silver, output_name="silver", metadata=silver_metadata)
        yield Output(quarantine_rows(classified, source), output_name="quarantine", metadata=row_accounting)
    finally:
        classified.unpersist()


validated_assets = [build_validated_assets(source) for source in SOURCES.values()]
