"""Turn one table's metrics into the four contract check results.

`contract` (columns and types), `unique_key`, `not_null` and `value_ranges` all
read the same `TableMetrics`, computed by one Spark job. A failure names the
offending columns in its description and metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue

from lakehouse_assets.checks.metrics import NOT_NULL, UNIQUE_KEY, VALUE_RANGES, Outcome, TableMetrics

CONTRACT = "contract"
CONTRACT_CHECKS = (CONTRACT, UNIQUE_KEY, NOT_NULL, VALUE_RANGES)
ROW_ACCOUNTING, QUARANTINE_SHARE = "row_accounting", "quarantine_share"
LANDING_SCHEMA = "landing_schema"
REFERENTIAL_INTEGRITY, FX_COVERAGE, FRESHNESS, VOLUME_ANOMALY = (
    "referential_integrity", "fx_coverage", "freshness", "volume_anomaly")
WARN_CHECKS = frozenset({REFERENTIAL_INTEGRITY, FX_COVERAGE, FRESHNESS, VOLUME_ANOMALY})
MAX_LISTED = 10

CHECK_DESCRIPTIONS = {
    CONTRACT: "Columns and types are exactly the table's contract (pandera schema).",
    UNIQUE_KEY: "The contract's key identifies one row.",
    NOT_NULL: "Columns the contract declares non-nullable hold no null.",
    VALUE_RANGES: "Value checks and cross-column rules of the contract hold for every row.",
    LANDING_SCHEMA: "Every landing file of the run's dates has the source's columns (Parquet: as strings) and "
                    "can be read; names the file and the column.",
    ROW_ACCOUNTING: "landed data lines = bronze rows = silver + quarantined + duplicate rows.",
    QUARANTINE_SHARE: "The share of bronze rows quarantined stays under config/dq.yaml's max_share.",
    REFERENTIAL_INTEGRITY: "Share of -1 (unknown) keys per dimension under config/dq.yaml's threshold.",
    FX_COVERAGE: "Share of rows without USD amounts (no FX rate) under config/dq.yaml's threshold.",
    FRESHNESS: "The newest order_date is at most max_age_days old.",
    VOLUME_ANOMALY: "Each day's row count is within max_abs_z standard deviations of the days before.",
}


def severity_of(check_name: str) -> AssetCheckSeverity:
    return AssetCheckSeverity.WARN if check_name in WARN_CHECKS else AssetCheckSeverity.ERROR


def result(key: AssetKey, name: str, passed: bool, description: str, metadata: Mapping) -> AssetCheckResult:
    return AssetCheckResult(asset_key=key, check_name=name, passed=bool(passed), severity=severity_of(name),
                            description=description, metadata=dict(metadata))


def _listed(items: Sequence[str]) -> str:
    shown = list(items[:MAX_LISTED])
    more = len(items) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _columns(outcomes: Iterable[Outcome]) -> list[str]:
    seen: dict[str, None] = {}
    for outcome in outcomes:
        seen.update(dict.fromkeys(outcome.columns))
    return list(seen)


def _outcome_results(key: AssetKey, name: str, metrics: TableMetrics, base: Mapping) -> AssetCheckResult:
    failures = metrics.failures(name)
    evaluated = metrics.evaluated(name)
    columns = _columns(failures)
    metadata = {**base, "rules_evaluated": len(evaluated), "offending_columns": ", ".join(columns),
                "failures": MetadataValue.json([
                    {"rule": f.name, "columns": list(f.columns), "rows": f.violations} for f in failures])}
    if failures:
        text = _listed([f"{', '.join(f.columns)}: {f.name} ({f.violations:,} rows)" for f in failures])
        return result(key, name, False, f"{len(failures)} rule(s) broken on {', '.join(columns)}: {text}", metadata)
    if name == UNIQUE_KEY and not evaluated and metrics.structure:
        return result(key, name, False, "key not evaluated: a key column breaks the contract", metadata)
    if name == VALUE_RANGES and metrics.skipped:
        metadata["not_evaluated"] = ", ".join(metrics.skipped)
        return result(key, name, False, f"{len(metrics.skipped)} table rule(s) not evaluated: columns break "
                      f"the contract", metadata)
    return result(key, name, True, f"{len(evaluated)} rule(s) hold on {metrics.rows:,} rows", metadata)


def contract_results(key: AssetKey, metrics: TableMetrics, selected: set[str],
                     extra_metadata: Mapping | None = None) -> Iterator[AssetCheckResult]:
    """The results of the contract checks in `selected`."""
    base = {"rows": metrics.rows, **(extra_metadata or {})}
    if CONTRACT in selected:
        offending = [p.split(":", 1)[0] for p in metrics.structure]
        metadata = {**base, "offending_columns": ", ".join(offending),
                    "problems": MetadataValue.json(metrics.structure)}
        if metrics.structure:
            yield result(key, CONTRACT, False,
                         f"{len(metrics.structure)} column(s) break the contract: {_listed(metrics.structure)}",
                         metadata)
        else:
            yield result(key, CONTRACT, True, "columns and types match the contract", metadata)
    for name in (UNIQUE_KEY, NOT_NULL, VALUE_RANGES):
        if name in selected:
            yield _outcome_results(key, name, metrics, base)


def missing_table_results(key: AssetKey, names: Iterable[str], error: str,
                          extra_metadata: Mapping | None = None) -> Iterator[AssetCheckResult]:
    """Every selected check fails when its table cannot be read."""
    for name in names:
        yield result(key, name, False, f"table cannot be read: {error}", dict(extra_metadata or {}))
