"""gold/fact_sales checks beyond the contract (WARN: they report, the run goes on).

- referential_integrity: the share of -1 keys per dimension (SPEC: "a check reports
  how many"), under `referential_integrity.max_unknown_share`;
- fx_coverage: the share of rows without USD amounts, under `fx_coverage.max_null_share`;
- freshness: today (UTC) minus the newest order_date, at most `freshness.max_age_days`;
- volume_anomaly: each checked day's rows against the `lookback_days` before it,
  |z| at most `max_abs_z` (z-score of the row count; not judged with too little history).

The first two come from the fact's one aggregation; the last two from the table's
per-day row counts in its Delta log.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from datetime import date, timedelta

from dagster import AssetCheckResult, AssetKey, MetadataValue
from pyspark.sql import Column
from pyspark.sql import functions as F

from lakehouse_assets.checks.config import VolumeAnomaly
from lakehouse_assets.checks.results import FRESHNESS, FX_COVERAGE, REFERENTIAL_INTEGRITY, VOLUME_ANOMALY, result
from lakehouse_assets.checks.windows import Window

UNKNOWN_KEY = -1
SK_COLUMNS = ("customer_sk", "product_sk", "store_sk", "sales_person_sk")
NULL_USD = "null_net_amount_usd"


def fact_aggregates(columns: list[str]) -> dict[str, Column]:
    """Extra aggregates for the fact's single pass (only over columns the table has)."""
    extra = {f"unknown_{c}": F.count(F.when(F.col(c) == UNKNOWN_KEY, F.lit(1))) for c in SK_COLUMNS if c in columns}
    if "net_amount_usd" in columns:
        extra[NULL_USD] = F.count(F.when(F.col("net_amount_usd").isNull(), F.lit(1)))
    return extra


def _share(part: int, rows: int) -> float:
    return part / rows if rows else 0.0


def referential_integrity_result(key: AssetKey, rows: int, extra: Mapping[str, int], max_share: float,
                                 base: Mapping) -> AssetCheckResult:
    shares = {c: _share(extra.get(f"unknown_{c}", 0), rows) for c in SK_COLUMNS}
    over = [c for c, s in shares.items() if s > max_share]
    metadata = {**base, "max_unknown_share": max_share, "offending_columns": ", ".join(over),
                **{f"unknown/{c}": extra.get(f"unknown_{c}", 0) for c in SK_COLUMNS},
                "unknown_shares": MetadataValue.json({c: round(s, 6) for c, s in shares.items()})}
    detail = ", ".join(f"{c} {shares[c]:.2%}" for c in SK_COLUMNS)
    if over:
        return result(key, REFERENTIAL_INTEGRITY, False, f"-1 keys above {max_share:.2%} on {', '.join(over)} "
                      f"({detail})", metadata)
    return result(key, REFERENTIAL_INTEGRITY, True, f"-1 keys: {detail}", metadata)


def fx_coverage_result(key: AssetKey, rows: int, extra: Mapping[str, int], max_share: float,
                       base: Mapping) -> AssetCheckResult:
    missing = extra.get(NULL_USD, 0)
    share = _share(missing, rows)
    metadata = {**base, "rows_without_usd": missing, "share": round(share, 6), "max_null_share": max_share}
    text = f"{missing:,} of {rows:,} rows without USD amounts ({share:.2%}; max {max_share:.2%})"
    return result(key, FX_COVERAGE, share <= max_share, text, metadata)


def freshness_result(key: AssetKey, counts: Mapping[date, int], today: date, max_age_days: int,
                     base: Mapping) -> AssetCheckResult:
    days = [d for d, n in counts.items() if n > 0]
    if not days:
        return result(key, FRESHNESS, False, "the table holds no rows", dict(base))
    newest = max(days)
    age = (today - newest).days
    metadata = {**base, "newest_partition": newest.isoformat(), "age_days": age, "max_age_days": max_age_days}
    return result(key, FRESHNESS, age <= max_age_days,
                  f"newest order_date {newest} is {age} day(s) old (max {max_age_days})", metadata)


def day_z_score(day: date, counts: Mapping[date, int], limits: VolumeAnomaly) -> tuple[float | None, int]:
    """(z of the day's rows against the earlier days with rows, history length); z None without enough history.

    The spread is at least sqrt(mean), the noise of a count, so a perfectly flat
    history does not turn a one-row difference into an anomaly."""
    history = [n for d, n in counts.items() if day - timedelta(days=limits.lookback_days) <= d < day and n > 0]
    if len(history) < limits.min_history_days:
        return None, len(history)
    mean = statistics.fmean(history)
    spread = max(statistics.pstdev(history), math.sqrt(mean))
    return (counts.get(day, 0) - mean) / spread, len(history)


def volume_anomaly_result(key: AssetKey, window: Window, counts: Mapping[date, int], limits: VolumeAnomaly,
                          base: Mapping) -> AssetCheckResult:
    scores = {day: day_z_score(day, counts, limits) for day in window.days}
    judged = {d: z for d, (z, _) in scores.items() if z is not None}
    anomalies = [d for d, z in judged.items() if abs(z) > limits.max_abs_z]
    metadata = {**base, "max_abs_z": limits.max_abs_z, "lookback_days": limits.lookback_days,
                "z_scores": MetadataValue.json({d.isoformat(): (None if z is None else round(z, 3))
                                                for d, (z, _) in scores.items()}),
                "rows_per_day": MetadataValue.json({d.isoformat(): counts.get(d, 0) for d in window.days})}
    if judged:
        metadata["max_abs_z_seen"] = round(max(abs(z) for z in judged.values()), 3)
    if anomalies:
        listed = ", ".join(f"{d} ({counts.get(d, 0):,} rows, z={judged[d]:.1f})" for d in anomalies)
        return result(key, VOLUME_ANOMALY, False, f"row count out of line on {listed}", metadata)
    if not judged:
        history = min(n for _, n in scores.values()) if scores else 0
        return result(key, VOLUME_ANOMALY, True, f"not judged: {history} earlier day(s) with rows, "
                      f"{limits.min_history_days} needed", metadata)
    return result(key, VOLUME_ANOMALY, True, f"{len(judged)} day(s) within |z| <= {limits.max_abs_z}", metadata)
