"""Asset checks on the bronze tables: the landing files' shape against the source contract.

One blocking ERROR check per source, `landing_schema`. It fails when a file of the
run's dates lacks a contract column, has a Parquet column that is not a string, cannot
be read at all (corrupt gzip or Parquet, unusable CSV header), or is a JSONL file of two
or more lines that all lack the same key; the description names each file and column, and
the validation step below it does not run. Columns the contract does not know pass:
`schema_drift.new_columns` decides what bronze does with them, and the metadata lists
them. Line-level figures come from one aggregation over the bronze window.
"""

from dagster import (
    AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetChecksDefinition, AssetKey,
    MetadataValue, asset_check,
)
from pyspark.sql import functions as F

from lakehouse_assets.bronze.ingest import PARTITION_COLUMN, inspect_files
from lakehouse_assets.bronze.readers import PARSE_ERROR, RAW_LINE
from lakehouse_assets.bronze.shapes import UNEXPECTED
from lakehouse_assets.checks.windows import Window, latest_window, run_window
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.partitions import daily_partitions
from lakehouse_assets.resources.landing import list_landing_files
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.sources import SOURCES, Source

CHECK_NAME = "landing_schema"
MISSING_KEYS = "missing key(s) "
MAX_LISTED = 10
# A JSONL file "lacks a column" when all its lines lack the same key; with one line that
# is just a malformed line (quarantined either way), so it takes at least two.
MIN_JSONL_LINES = 2


def line_stats(tables: DeltaTables, key: AssetKey, window: Window) -> dict[str, dict]:
    """Per landing file, in one pass over the bronze window: lines, malformed lines, lines with
    bad encoding, and the missing-keys error when every line of the file has the same one."""
    try:
        bronze = tables.read(key, PARTITION_COLUMN, window.start, window.end)
    except FileNotFoundError:
        return {}
    error = F.col(PARSE_ERROR)
    missing = F.when(error.startswith(MISSING_KEYS), error)
    rows = bronze.groupBy("_source_file").agg(
        F.count(F.lit(1)).alias("lines"),
        F.count(F.col(RAW_LINE)).alias("malformed"),
        F.count(F.when(error.startswith("bad_encoding"), 1)).alias("bad_encoding"),
        F.count(missing).alias("missing_lines"),
        F.min(missing).alias("missing_first"), F.max(missing).alias("missing_last"),
    ).collect()
    return {r["_source_file"]: r.asDict() for r in rows}


def file_failures(shape_problems: dict[str, list], stats: dict[str, dict]) -> dict[str, str]:
    """file -> what is wrong with it as a whole (only the blocking problems)."""
    failures = {uri: "; ".join(p.detail for p in problems if p.blocking)
                for uri, problems in shape_problems.items() if any(p.blocking for p in problems)}
    for uri, s in stats.items():
        whole_file = (s["lines"] >= MIN_JSONL_LINES and s["missing_lines"] == s["lines"]
                      and s["missing_first"] == s["missing_last"])
        if whole_file and uri not in failures:
            failures[uri] = f"every line lacks {s['missing_first'][len(MISSING_KEYS):]}"
    return failures


def describe(source: Source, failures: dict[str, str]) -> str:
    listed = [f"{uri}: {problem}" for uri, problem in sorted(failures.items())[:MAX_LISTED]]
    more = len(failures) - len(listed)
    return (f"{len(failures)} {source.name} file(s) do not match the source's columns: " + " | ".join(listed)
            + (f" | and {more} more" if more > 0 else ""))


def build_bronze_check(source: Source) -> AssetChecksDefinition:
    key = AssetKey(["bronze", source.name])

    @asset_check(asset=key, name=CHECK_NAME, blocking=True,
                 description=f"Every {source.name} landing file of the run's dates has the source's columns "
                             "(Parquet: as strings) and can be read; names the file and the column.")
    def _landing_schema(context: AssetCheckExecutionContext, spark: SparkResource) -> AssetCheckResult:
        window = run_window(context) or latest_window(context, key, daily_partitions)
        if window is None:
            return AssetCheckResult(passed=True, metadata={"files_checked": 0})
        files = [f for f in list_landing_files(spark.settings.landing_root, source.name, window.days) if f.format]
        shapes = inspect_files(spark.session, source, files)
        problems = {f.uri: shapes[f.spark_path].problems for f in files if f.spark_path in shapes}
        stats = line_stats(DeltaTables(spark.session, spark.settings.lakehouse_root), key, window)
        failures = file_failures(problems, stats)
        new_columns = {uri: [p.column for p in found if p.kind == UNEXPECTED]
                       for uri, found in problems.items() if any(p.kind == UNEXPECTED for p in found)}
        metadata = {
            "window": window.label,
            "files_checked": len(files),
            "failing_files": MetadataValue.json(failures),
            "new_columns": MetadataValue.json(new_columns),
            "schema_drift_policy": spark.settings.schema_drift.new_columns,
            "malformed_lines": sum(s["malformed"] for s in stats.values()),
            "bad_encoding_lines": sum(s["bad_encoding"] for s in stats.values()),
        }
        return AssetCheckResult(
            passed=not failures, severity=AssetCheckSeverity.ERROR, metadata=metadata,
            description=describe(source, failures) if failures else None,
        )

    return _landing_schema


BRONZE_CHECKS = [build_bronze_check(source) for source in SOURCES.values()]
