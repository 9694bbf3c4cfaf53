"""Checks of the crm source beyond the contracts: extraction and row accounting, watermark lag.

- bronze/crm_*: `extraction_accounting`: rows read = rows new to bronze + rows bronze held
  already (re-read through the overlap), and bronze holds one row per (id, updated_at).
- silver/crm_*: `row_accounting` (SPEC §3): bronze rows = silver + quarantine + duplicates.
- audit/source_watermarks: `watermark_lag` (a warning): the mark trails the extraction's
  bound by at most `crm.max_lag_hours`; a table that stops changing, or an extraction that
  reads nothing, shows here first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.checks.results import ROW_ACCOUNTING
from lakehouse_assets.crm.extract import WATERMARKS, TableExtract

EXTRACTION_ACCOUNTING, WATERMARK_LAG = "extraction_accounting", "watermark_lag"


def bronze_spec(name: str) -> AssetCheckSpec:
    return AssetCheckSpec(EXTRACTION_ACCOUNTING, asset=AssetKey(["bronze", name]), blocking=True,
                          description="rows read = rows new to bronze + rows bronze held already; "
                                      "bronze holds one row per (id, updated_at).")


def watermark_spec() -> AssetCheckSpec:
    return AssetCheckSpec(WATERMARK_LAG, asset=AssetKey(WATERMARKS),
                          description="Each CRM table's high-water mark trails the extraction bound by at most "
                                      "crm.max_lag_hours (config).")


def extract_metadata(e: TableExtract) -> dict:
    return {
        "rows_read": e.rows_read, "rows_added": e.rows_added, "rows_already_in_bronze": e.duplicates,
        "lower_bound": str(e.lower) if e.lower else "(full extract)", "upper_bound": str(e.until),
        "high_water_mark": str(e.high_water_mark),
        **({"delta_version": e.commit.version, "path": MetadataValue.path(e.commit.path)} if e.commit else {}),
    }


def bronze_result(e: TableExtract) -> AssetCheckResult:
    passed = 0 <= e.rows_added <= e.rows_read
    return AssetCheckResult(
        asset_key=AssetKey(["bronze", e.source]), check_name=EXTRACTION_ACCOUNTING, passed=passed,
        description=f"read {e.rows_read:,} = new {e.rows_added:,} + already in bronze {e.duplicates:,}",
        metadata=extract_metadata(e))


def accounting_result(key: AssetKey, counts: Mapping[str, int], silver: int, quarantine: int) -> AssetCheckResult:
    """bronze = silver + quarantine + duplicates, with silver and quarantine as measured on the
    frames about to be written."""
    bronze, duplicates = counts["bronze"], counts["duplicate"]
    passed = bronze == silver + quarantine + duplicates
    return AssetCheckResult(
        asset_key=key, check_name=ROW_ACCOUNTING, passed=passed,
        description=f"bronze {bronze:,} {'=' if passed else '!='} silver {silver:,} + quarantine {quarantine:,} "
                    f"+ duplicates {duplicates:,}",
        metadata={"bronze": bronze, "silver": silver, "quarantine": quarantine, "duplicates": duplicates,
                  **{k: v for k, v in counts.items() if k.startswith("quarantine.")}})


def watermark_result(marks: DataFrame, until: datetime, max_lag_hours: float) -> AssetCheckResult:
    """The lag of each mark behind `until` (UTC), computed in Spark (session time zone UTC)."""
    bound = F.lit(until.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp")
    lag = (F.unix_timestamp(bound) - F.unix_timestamp("high_water_mark")) / 3600
    lags = {r["source"]: r["lag"] for r in marks.select("source", lag.alias("lag")).collect()}
    late = {s: lag for s, lag in lags.items() if lag is None or lag > max_lag_hours}
    shown = ", ".join(f"{s} {'no mark' if lag is None else f'{lag:.1f} h'}" for s, lag in sorted(lags.items()))
    return AssetCheckResult(
        asset_key=AssetKey(WATERMARKS), check_name=WATERMARK_LAG, passed=not late,
        severity=AssetCheckSeverity.WARN,
        description=f"lag behind {until}: {shown} (at most {max_lag_hours:g} h)",
        metadata={"lag_hours": MetadataValue.json({s: None if v is None else round(v, 2) for s, v in lags.items()}),
                  "upper_bound": str(until)})
