"""A validated source's silver and quarantine: their check results, from the figures the
ingest step measured on their cached rows, and their outputs (`ingest/source_step.py`).

Row accounting (bronze = silver + quarantine + duplicates, and the landed lines read)
and the quarantine share are judged for the window and for each of its dates.
"""

from __future__ import annotations

from collections import Counter

from dagster import AssetCheckResult
from pyspark.sql import DataFrame

from lakehouse_assets.checks.accounting import (
    Accounting,
    landed_before_read,
    quarantine_share_result,
    row_accounting_result,
)
from lakehouse_assets.checks.audit import audit_measured, base_metadata, log_blocked, with_by_date
from lakehouse_assets.checks.config import DqConfig
from lakehouse_assets.checks.landed import landed_rows
from lakehouse_assets.checks.metrics import DatedMetrics
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.ingest.figures import SourceFigures
from lakehouse_assets.ingest.targets import SILVER_CHECKS_EXTRA, SourceTargets, output_name
from lakehouse_assets.io_managers.step_writes import StepWrites
from lakehouse_assets.resources.landing import LandingFile
from lakehouse_assets.transforms.validation import REASONS


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


def validated_outputs(context, pii, targets: SourceTargets, outputs: dict[str, DataFrame], measured: dict,
                      files, window: Window, config: DqConfig, want: dict, writes: StepWrites) -> None:
    """Silver's and quarantine's check results from their measured figures (contract, row
    accounting, quarantine share), and their writes, added to the step's `writes`: silver
    only when none of its blocking checks failed."""
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
        writes.add(output_name("silver", source.name), silver, {**accounting, **masked_metadata})
    if want["quarantine"]:
        writes.add(output_name("quarantine", source.name), quarantine, {**accounting, **reasons})
    writes.after(silver_results)
    writes.after(quarantine_results)
