"""One source's part of the ingest step: landing files -> bronze -> silver + quarantine.

Bronze is read from the landing files once. Written alone, it is measured as it is
written (`ingest/figures.py`, `observed_figures`; `bronze_alone`). Validated in the
same step, it is planned first (`plan_source`): cached while it is classified, one
aggregation over its classification for the landing check's line figures, the row
accounting per date and each file's lines, and silver's and quarantine's contract
metrics, measured before they are written (write-audit-publish, `checks/audit.py`).
The step runs every planned source's aggregations as one Spark query
(`checks/together.py`), then `finish_source` writes bronze from the classified rows'
cache and adds silver and quarantine (`ingest/validated.py`) to the step's writes, which
the step makes together for every source (`io_managers/step_writes.py`). A source whose landing check
or silver checks fail keeps its previous silver and quarantine rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dagster import AssetExecutionContext, MetadataValue, Output
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from lakehouse_assets.bronze.ingest import duplicate_content, inspect_files, read_bronze
from lakehouse_assets.checks.audit import pending_measure
from lakehouse_assets.checks.config import DqConfig
from lakehouse_assets.checks.together import Pending
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.ingest import landing_check
from lakehouse_assets.ingest.figures import FileFigures, SourceFigures, observed_figures, pending_figures
from lakehouse_assets.ingest.targets import SourceTargets, output_name
from lakehouse_assets.ingest.validated import validated_outputs
from lakehouse_assets.io_managers.step_writes import StepWrites
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.resources.landing import LandingFile, hash_files
from lakehouse_assets.resources.pii import PiiMasking
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import LANDING_FORMATS, Source
from lakehouse_assets.transforms.conform import quarantine_rows, silver_rows
from lakehouse_assets.transforms.masking import mask_pii
from lakehouse_assets.transforms.validation import classify


@dataclass
class SourceResult:
    """What the inventory needs from a source's part of the step."""

    files: list[LandingFile]
    hashes: dict[str, str]
    figures: SourceFigures


def _read_landing(context: AssetExecutionContext, spark: SparkResource, source: Source,
                  files: list[LandingFile], window: Window, ingested_at: datetime):
    readable = [f for f in files if f.format is not None]
    unreadable = [f.uri for f in files if f.format is None]
    if unreadable:
        context.log.warning(
            f"{len(unreadable)} {source.name} file(s) have an extension the landing zone does not accept "
            f"({', '.join(LANDING_FORMATS)}) and were not read; audit/ingested_files lists them as rejected: "
            f"{unreadable[:5]}")
    if not files:
        context.log.warning(f"no {source.name} files landed for {window.label}")
    context.log.info(f"reading {len(readable)} {source.name} file(s) for {window.label}")
    # The files are hashed (their bytes read once more: from S3, downloaded) on a thread of their
    # own while the driver inspects them and plans their lines; lineage waits for the hashes.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hash-files") as hashing:
        hashed = hashing.submit(hash_files, readable)
        shapes = inspect_files(spark.session, source, readable)
        bronze = read_bronze(spark.session, source, readable, hashed, run_id=context.run.run_id,
                             ingested_at=ingested_at,
                             new_columns=spark.settings.schema_drift.new_columns, shapes=shapes)
        hashes = hashed.result()
    problems = {f.uri: shapes[f.spark_path].problems for f in readable if f.spark_path in shapes}
    metadata = {
        "landing_files": len(readable),
        "landing_bytes": sum(f.size for f in readable),
        "rejected_files": MetadataValue.json(unreadable),
        "file_problems": MetadataValue.json({u: [p.detail for p in ps] for u, ps in problems.items() if ps}),
    }
    return bronze, hashes, problems, metadata


@dataclass
class PlannedSource:
    """A source read and classified, its frames cached and its figures planned, not yet run:
    the step measures every planned source in one Spark query, then writes each."""

    targets: SourceTargets
    files: list[LandingFile]
    want: dict[str, bool]
    bronze: DataFrame
    classified: DataFrame | None = None
    outputs: dict[str, DataFrame] = field(default_factory=dict)
    pending: dict[str, Pending] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    problems: dict = field(default_factory=dict)
    bronze_metadata: dict = field(default_factory=dict)
    cached: list[DataFrame] = field(default_factory=list)

    def release(self) -> None:
        for frame in self.cached:
            frame.unpersist()
        self.cached = []


def wants(context: AssetExecutionContext, targets: SourceTargets) -> dict[str, bool]:
    return {layer: getattr(targets, layer).key in context.selected_asset_keys
            for layer in ("bronze", "silver", "quarantine")}


def plan_source(context: AssetExecutionContext, spark: SparkResource, pii: PiiMasking | None,
                targets: SourceTargets, want: dict[str, bool], files: list[LandingFile],
                window: Window) -> PlannedSource:
    """Read the source's bronze (from its landing files, or from the lakehouse when bronze is
    not selected), classify it when silver or quarantine is selected (`want`: `wants`), cache
    what the writes read, and plan the figures and contract metrics: nothing runs yet."""
    source = targets.source
    validate = want["silver"] or want["quarantine"]
    if want["bronze"]:
        bronze, hashes, problems, metadata = _read_landing(context, spark, source, files, window, datetime.now(UTC))
    else:
        tables = DeltaTables(spark.session, spark.settings.lakehouse_root)
        with classified_failures(f"reading {source.name}'s bronze", spark.settings.orchestration,
                                 attempt_number(context)):
            bronze = tables.read(targets.bronze.key, PARTITION_COLUMN, window.start, window.end)
        hashes, problems, metadata = {}, {}, {}
    planned = PlannedSource(targets, files, want, bronze, hashes=hashes, problems=problems,
                            bronze_metadata=metadata)
    try:
        bronze.persist(StorageLevel.MEMORY_AND_DISK)
        planned.cached.append(bronze)
        frame = bronze
        if validate:
            frame = planned.classified = classify(bronze, source, spark.settings.currencies)
            frame.persist(StorageLevel.MEMORY_AND_DISK)
            planned.cached.append(frame)
        # The file and date figures and, when validating, silver's and quarantine's contract figures.
        planned.pending["figures"] = pending_figures(frame)
        if validate:
            planned.outputs = _silver_and_quarantine(spark, pii, source, frame)
            planned.pending.update({layer: pending_measure(getattr(targets, layer), rows)
                                    for layer, rows in planned.outputs.items()})
    except BaseException:
        planned.release()
        raise
    return planned


def finish_source(context: AssetExecutionContext, spark: SparkResource, pii: PiiMasking | None,
                  planned: PlannedSource, measured: dict, window: Window, config: DqConfig,
                  writes: StepWrites) -> Iterator:
    """Yield the source's bronze and landing check; add its silver and quarantine, with their
    check results, to the step's `writes` (written with the other sources'); return what
    the inventory needs. The source's cache is released only after those writes."""
    targets, files, want = planned.targets, planned.files, planned.want
    source, bronze = targets.source, planned.bronze
    if planned.classified is not None:
        # The classified rows hold every bronze row and column: bronze is written from
        # their cache, and the bronze cache, needed only to classify, is released before
        # the writes: less heap held while they run (1 GB orders day: 380 s against 452 s).
        planned.bronze.unpersist()
        planned.cached = [planned.classified]
        bronze = planned.classified.select(*planned.bronze.columns)
    figures = measured["figures"]
    landing_ok = True
    if want["bronze"]:
        readable = [f for f in files if f.format is not None]
        result = landing_check.landing_result(source, readable, planned.problems, figures.files, window,
                                              spark.settings.schema_drift.new_columns)
        landing_ok = result.passed
        # Bronze is the record of what landed: written whatever its files look like.
        yield Output(bronze, output_name=output_name("bronze", source.name), metadata=planned.bronze_metadata)
        if landing_check.CHECK_NAME in targets.bronze.selected(context):
            yield result
        if not landing_ok:
            context.log.error(f"{source.name}: not validated, the landing check failed: {result.description}")
    if planned.classified is not None and landing_ok:
        validated_outputs(context, pii, targets, planned.outputs, measured, files, window, config, want, writes)
    return SourceResult(files, planned.hashes, figures)


def bronze_alone(context: AssetExecutionContext, spark: SparkResource, targets: SourceTargets,
                 files: list[LandingFile], window: Window) -> Iterator:
    """Bronze without validation: written straight from the landing files, its file figures
    observed during that write (no cache), the landing check judged after it."""
    source, ingested_at = targets.source, datetime.now(UTC)
    bronze, hashes, problems, bronze_metadata = _read_landing(context, spark, source, files, window, ingested_at)
    readable = [f for f in files if f.format is not None]
    duplicates = duplicate_content(readable, hashes)
    known = {f.uri: FileFigures(f.partition_date, ingested_at=ingested_at.replace(tzinfo=None),
                                file_hash=hashes[f.uri], duplicate_of=duplicates.get(f.uri)) for f in readable}
    observed, figures_of = observed_figures(bronze, known)
    # Bronze is the record of what landed: written whatever its files look like.
    yield Output(observed, output_name=output_name("bronze", source.name), metadata=bronze_metadata)
    figures = figures_of()
    result = landing_check.landing_result(source, readable, problems, figures.files, window,
                                          spark.settings.schema_drift.new_columns)
    if landing_check.CHECK_NAME in targets.bronze.selected(context):
        yield result
    if not result.passed:
        context.log.error(f"{source.name}: the landing check failed: {result.description}")
    return SourceResult(files, hashes, figures)


def _silver_and_quarantine(spark: SparkResource, pii: PiiMasking | None, source: Source,
                           classified: DataFrame) -> dict[str, DataFrame]:
    """The rows to write to silver (masked where the source has PII) and to quarantine."""
    silver = silver_rows(classified, source)
    if pii is not None and source.pii:
        silver = mask_pii(spark.session, silver, pii.strategies(source.name), pii.key_material())
    return {"silver": silver, "quarantine": quarantine_rows(classified, source)}
