"""One source's part of the ingest step: landing files -> bronze -> silver + quarantine.

Bronze is read from the landing files once. Written alone, it is measured as it is
written (`ingest/figures.py`, `observed_figures`); validated in the same step, it is
cached while it is classified, then written from the classified rows' cache, and one
aggregation over its classification gives the landing check's line figures, the row
accounting per date and each file's lines. Silver and quarantine are measured against
their contracts before they are written (write-audit-publish, `checks/audit.py`), in
the same Spark query as those figures (`checks/together.py`). A source whose landing
check or silver checks fail keeps its previous silver and quarantine rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, MetadataValue, Output
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from lakehouse_assets.bronze.ingest import duplicate_content, inspect_files, read_bronze
from lakehouse_assets.checks.accounting import (
    Accounting,
    landed_before_read,
    quarantine_share_result,
    row_accounting_result,
)
from lakehouse_assets.checks.audit import audit_measured, base_metadata, log_blocked, pending_measure, with_by_date
from lakehouse_assets.checks.config import DqConfig
from lakehouse_assets.checks.landed import landed_rows
from lakehouse_assets.checks.metrics import DatedMetrics
from lakehouse_assets.checks.results import QUARANTINE_SHARE, ROW_ACCOUNTING
from lakehouse_assets.checks.targets import Target
from lakehouse_assets.checks.together import Pending, run_together
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.ingest import landing_check
from lakehouse_assets.ingest.figures import FileFigures, SourceFigures, observed_figures, pending_figures
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.resources.landing import LandingFile, hash_files
from lakehouse_assets.resources.pii import PiiMasking
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import LANDING_FORMATS, Source
from lakehouse_assets.transforms.conform import quarantine_rows, silver_rows
from lakehouse_assets.transforms.masking import mask_pii
from lakehouse_assets.transforms.validation import REASONS, classify

SILVER_CHECKS_EXTRA = (ROW_ACCOUNTING, QUARANTINE_SHARE)


def output_name(layer: str, source: str) -> str:
    return f"{layer}__{source}"


@dataclass
class SourceTargets:
    """The three tables of a source and the checks on them."""

    source: Source
    bronze: Target = field(init=False)
    silver: Target = field(init=False)
    quarantine: Target = field(init=False)

    def __post_init__(self) -> None:
        name = self.source.name
        checks = (landing_check.CHECK_NAME,)
        self.bronze = Target(AssetKey(["bronze", name]), checks=checks, blocking=frozenset(checks))
        silver_checks = (*Target(AssetKey(["silver", name])).checks, *SILVER_CHECKS_EXTRA)
        self.silver = Target(AssetKey(["silver", name]), checks=silver_checks, blocking=frozenset(silver_checks))
        self.quarantine = Target(AssetKey(["quarantine", name]), blocking=frozenset())


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
    hashes = hash_files(readable)
    shapes = inspect_files(spark.session, source, readable)
    bronze = read_bronze(spark.session, source, readable, hashes, run_id=context.run.run_id,
                         ingested_at=ingested_at,
                         new_columns=spark.settings.schema_drift.new_columns, shapes=shapes)
    problems = {f.uri: shapes[f.spark_path].problems for f in readable if f.spark_path in shapes}
    metadata = {
        "landing_files": len(readable),
        "landing_bytes": sum(f.size for f in readable),
        "rejected_files": MetadataValue.json(unreadable),
        "file_problems": MetadataValue.json({u: [p.detail for p in ps] for u, ps in problems.items() if ps}),
    }
    return bronze, hashes, problems, metadata


def _accounting_results(targets: SourceTargets, figures: SourceFigures, silver: DatedMetrics,
                        quarantine: DatedMetrics, files: list[LandingFile], window: Window,
                        config: DqConfig, base: dict) -> list[AssetCheckResult]:
    """Row accounting and quarantine share, for the window and for each of its dates."""
    key, limits = targets.silver.key, config.quarantine_share.for_source(targets.source.name)
    landed = [(f, landed_rows(f)) for f in files if f.format is not None]
    last_read = figures.last_read()

    def evaluate(days, silver_rows_, quarantine_rows_) -> list[AssetCheckResult]:
        counts = [figures.dates[d] for d in days if d in figures.dates]
        lines, n_files, late = landed_before_read([(f, n) for f, n in landed if f.partition_date in days],
                                                  last_read)
        bronze = sum(c.bronze for c in counts)
        acc = Accounting(lines, n_files, bronze, silver_rows_, quarantine_rows_,
                         sum(c.duplicate for c in counts), late)
        by_reason = {r: sum(c.by_reason.get(r, 0) for c in counts) for r in REASONS}
        return [row_accounting_result(key, acc, base),
                quarantine_share_result(key, bronze, quarantine_rows_, by_reason, limits, base)]

    total = evaluate(set(window.days), silver.total.rows, quarantine.total.rows)
    if len(window.days) < 2:
        return total
    per_date = {d: {r.check_name: r for r in evaluate({d}, _rows_on(silver, d), _rows_on(quarantine, d))}
                for d in window.days}
    return [with_by_date(r, {d: found[r.check_name] for d, found in per_date.items()}) for r in total]


def _rows_on(dated: DatedMetrics, day) -> int:
    metrics = dated.by_date.get(day)
    return metrics.rows if metrics is not None else 0


def ingest_source(context: AssetExecutionContext, spark: SparkResource, pii: PiiMasking | None,
                  targets: SourceTargets, files: list[LandingFile], window: Window, config: DqConfig,
                  need_figures: bool) -> Iterator:
    """Yield the source's selected outputs and check results; return what the inventory needs."""
    source, selected = targets.source, context.selected_asset_keys
    want = {layer: getattr(targets, layer).key in selected for layer in ("bronze", "silver", "quarantine")}
    validate = want["silver"] or want["quarantine"]
    if not (want["bronze"] or validate or need_figures):
        return None
    if want["bronze"] and not validate:
        return (yield from _bronze_alone(context, spark, targets, files, window))
    hashes: dict[str, str] = {}
    cached: list[DataFrame] = []
    try:
        if want["bronze"]:
            bronze, hashes, problems, bronze_metadata = _read_landing(context, spark, source, files, window,
                                                                      datetime.now(UTC))
        else:
            tables = DeltaTables(spark.session, spark.settings.lakehouse_root)
            with classified_failures(f"reading {source.name}'s bronze", spark.settings.orchestration,
                                     attempt_number(context)):
                bronze, problems = tables.read(targets.bronze.key, PARTITION_COLUMN, window.start, window.end), {}
        frame = bronze
        if validate:
            frame = classify(bronze, source, spark.settings.currencies)
        bronze.persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(bronze)
        if frame is not bronze:
            frame.persist(StorageLevel.MEMORY_AND_DISK)
            cached.append(frame)
        # The file and date figures and, when validating, silver's and quarantine's contract
        # figures: one Spark query for the three.
        pending: dict[str, Pending] = {"figures": pending_figures(frame)}
        if validate:
            outputs = _silver_and_quarantine(spark, pii, source, frame)
            pending.update({layer: pending_measure(getattr(targets, layer), rows)
                            for layer, rows in outputs.items()})
        measured = run_together(pending)
        if frame is not bronze:
            # The classified rows hold every bronze row and column: bronze is written from
            # their cache, and the bronze cache, needed only to classify, is released before
            # the writes: less heap held while they run (1 GB orders day: 380 s against 452 s).
            bronze.unpersist()
            cached = [frame]
            bronze = frame.select(*bronze.columns)
        figures = measured["figures"]
        landing_ok = True
        if want["bronze"]:
            readable = [f for f in files if f.format is not None]
            result = landing_check.landing_result(source, readable, problems, figures.files, window,
                                                  spark.settings.schema_drift.new_columns)
            landing_ok = result.passed
            # Bronze is the record of what landed: written whatever its files look like.
            yield Output(bronze, output_name=output_name("bronze", source.name), metadata=bronze_metadata)
            if landing_check.CHECK_NAME in targets.bronze.selected(context):
                yield result
            if not landing_ok:
                context.log.error(f"{source.name}: not validated, the landing check failed: {result.description}")
        if validate and landing_ok:
            yield from _validated(context, pii, targets, outputs, measured, files, window, config, want)
        return SourceResult(files, hashes, figures)
    finally:
        for frame_ in cached:
            frame_.unpersist()


def _bronze_alone(context: AssetExecutionContext, spark: SparkResource, targets: SourceTargets,
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


def _validated(context, pii, targets: SourceTargets, outputs: dict[str, DataFrame], measured: dict,
               files, window: Window, config: DqConfig, want: dict) -> Iterator:
    source, figures = targets.source, measured["figures"]
    silver, quarantine = outputs["silver"], outputs["quarantine"]
    masked_metadata = {}
    if pii is not None and source.pii:
        masked_metadata["pii/masked_columns"] = ", ".join(f"{c}: {s}" for c, s in pii.strategies(source.name).items())
    silver_results, silver_dated = audit_measured(context, targets.silver, measured["silver"], window)
    quarantine_results, quarantine_dated = audit_measured(context, targets.quarantine, measured["quarantine"], window)
    selected = targets.silver.selected(context)
    if selected & set(SILVER_CHECKS_EXTRA):
        base = base_metadata(targets.silver, window)
        silver_results += [r for r in _accounting_results(targets, figures, silver_dated, quarantine_dated, files,
                                                          window, config, base) if r.check_name in selected]
    counts = {"bronze": sum(c.bronze for c in figures.dates.values()),
              "silver": silver_dated.total.rows, "quarantine": quarantine_dated.total.rows,
              "duplicate": sum(c.duplicate for c in figures.dates.values())}
    accounting = {f"accounting/{k}": v for k, v in counts.items()}
    by_reason = sum((c.by_reason for c in figures.dates.values()), Counter())
    reasons = {f"accounting/quarantine.{r}": n for r, n in sorted(by_reason.items()) if n}
    context.log.info(f"{source.name} row accounting: {counts}")
    if want["silver"] and not log_blocked(context, targets.silver, silver_results):
        yield Output(silver, output_name=output_name("silver", source.name),
                     metadata={**accounting, **masked_metadata})
    if want["quarantine"]:
        yield Output(quarantine, output_name=output_name("quarantine", source.name),
                     metadata={**accounting, **reasons})
    yield from silver_results
    yield from quarantine_results
