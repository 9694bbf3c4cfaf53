"""`landing_schema` on bronze/<source>: the landing files' shape against the source contract.

Blocking ERROR. It fails when a file of the run's dates lacks a contract column, has
a Parquet column that is not a string, cannot be read at all (corrupt gzip or
Parquet, unusable CSV header), or is a JSONL file of two or more lines that all lack
the same key; the description names each file and column, and the source is not
validated (its silver and quarantine keep their previous rows). Columns the contract
does not know pass: `schema_drift.new_columns` decides what bronze does with them,
and the metadata lists them. File shapes come from the driver's inspection of each
file before bronze reads it, line figures from the step's one aggregation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue

from lakehouse_assets.bronze.shapes import UNEXPECTED, Problem
from lakehouse_assets.checks.audit import with_by_date
from lakehouse_assets.checks.results import LANDING_SCHEMA
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.ingest.figures import MISSING_KEYS, FileFigures
from lakehouse_assets.resources.landing import LandingFile
from lakehouse_assets.sources import Source

CHECK_NAME = LANDING_SCHEMA
MAX_LISTED = 10
# A JSONL file "lacks a column" when all its lines lack the same key; with one line that
# is just a malformed line (quarantined either way), so it takes at least two.
MIN_JSONL_LINES = 2


def file_failures(shape_problems: Mapping[str, Sequence[Problem]], files: Mapping[str, FileFigures]) -> dict[str, str]:
    """file -> what is wrong with it as a whole (only the blocking problems)."""
    failures = {uri: "; ".join(p.detail for p in problems if p.blocking)
                for uri, problems in shape_problems.items() if any(p.blocking for p in problems)}
    for uri, f in files.items():
        whole_file = (f.lines >= MIN_JSONL_LINES and f.missing_lines == f.lines
                      and f.missing_first == f.missing_last)
        if whole_file and uri not in failures:
            failures[uri] = f"every line lacks {f.missing_first[len(MISSING_KEYS):]}"
    return failures


def describe(source: Source, failures: Mapping[str, str]) -> str:
    listed = [f"{uri}: {problem}" for uri, problem in sorted(failures.items())[:MAX_LISTED]]
    more = len(failures) - len(listed)
    return (f"{len(failures)} {source.name} file(s) do not match the source's columns: " + " | ".join(listed)
            + (f" | and {more} more" if more > 0 else ""))


def _result(key: AssetKey, source: Source, failures: Mapping[str, str], metadata: dict) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=key, check_name=CHECK_NAME, passed=not failures, severity=AssetCheckSeverity.ERROR,
        metadata=metadata, description=describe(source, failures) if failures else
        f"{metadata.get('files_checked', 0)} file(s) match the source's columns",
    )


def landing_result(source: Source, files: Sequence[LandingFile], shape_problems: Mapping[str, Sequence[Problem]],
                   figures: Mapping[str, FileFigures], window: Window, drift_policy: str) -> AssetCheckResult:
    """The check's result for the run's dates, with each date's own outcome."""
    key = AssetKey(["bronze", source.name])
    failures = file_failures(shape_problems, figures)
    new_columns = {uri: [p.column for p in found if p.kind == UNEXPECTED]
                   for uri, found in shape_problems.items() if any(p.kind == UNEXPECTED for p in found)}
    metadata = {
        **window.metadata(),
        "window": window.label,
        "files_checked": len(files),
        "failing_files": MetadataValue.json(failures),
        "new_columns": MetadataValue.json(new_columns),
        "schema_drift_policy": drift_policy,
        "malformed_lines": sum(f.malformed for f in figures.values()),
        "bad_encoding_lines": sum(f.bad_encoding for f in figures.values()),
    }
    total = _result(key, source, failures, metadata)
    if len(window.days) < 2:
        return total
    day_of = {f.uri: f.partition_date for f in files}
    per_date: dict[date, AssetCheckResult] = {}
    for day in window.days:
        on_day = {uri: problem for uri, problem in failures.items() if day_of.get(uri) == day}
        checked = sum(1 for f in files if f.partition_date == day)
        per_date[day] = _result(key, source, on_day, {"files_checked": checked})
    return with_by_date(total, per_date)
