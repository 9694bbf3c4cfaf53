"""silver/<source> checks beyond the contract: row accounting and the quarantine share.

SPEC §3: landed data lines = bronze rows = silver rows + quarantined rows +
duplicates removed. `landed` is counted from the landing files in plain Python
(`checks.landed`), bronze, silver and quarantine from their tables, and the
duplicates are those the validation step recorded for the same bronze rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from dagster import AssetCheckResult, AssetKey, AssetRecordsFilter, DagsterInstance, MetadataValue

from lakehouse_assets.checks.config import QuarantineShare
from lakehouse_assets.checks.results import QUARANTINE_SHARE, ROW_ACCOUNTING, result
from lakehouse_assets.checks.windows import Window
from lakehouse_assets.resources.landing import LandingFile

ACCOUNTING_BRONZE, ACCOUNTING_DUPLICATES = "accounting/bronze", "accounting/duplicate"


@dataclass(frozen=True)
class Accounting:
    landed: int
    landed_files: int
    bronze: int
    silver: int
    quarantine: int
    duplicates: int | None  # None: no validation record covers exactly these bronze rows
    late_files: Sequence[str] = field(default_factory=list)  # landed after bronze read their folder


def landed_before_read(files: Sequence[tuple[LandingFile, int]],
                       last_read: Mapping[date, datetime | None]) -> tuple[int, int, list[str]]:
    """(data lines, files) of the files bronze could have read, and the files that arrived in a
    folder after bronze last read it (`last_read`: per date, the latest `_ingested_at`, UTC)."""
    lines, count, late = 0, 0, []
    for landing_file, rows in files:
        read_at = last_read.get(landing_file.partition_date)
        if read_at is not None and landing_file.modified_at > read_at.replace(tzinfo=UTC):
            late.append(landing_file.uri)
            continue
        lines, count = lines + rows, count + 1
    return lines, count, late


def recorded_duplicates(instance: DagsterInstance, silver_key: AssetKey, window: Window, bronze: int) -> int | None:
    """Duplicates the validation step recorded, if its record is for these `bronze` rows.

    A range materialization records one accounting for the whole range on every
    partition of it; it is used only when its bronze count equals the window's."""
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=silver_key, asset_partitions=[window.last_day.isoformat()]), limit=1,
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    metadata = records[0].asset_materialization.metadata
    value = lambda name: getattr(metadata.get(name), "value", None)  # noqa: E731
    if value(ACCOUNTING_BRONZE) != bronze or value(ACCOUNTING_DUPLICATES) is None:
        return None
    return int(value(ACCOUNTING_DUPLICATES))


def row_accounting_result(key: AssetKey, acc: Accounting, base: Mapping) -> AssetCheckResult:
    derived = acc.duplicates is None
    duplicates = acc.bronze - acc.silver - acc.quarantine if derived else acc.duplicates
    problems = []
    if acc.landed != acc.bronze:
        problems.append(f"landed data lines {acc.landed:,} != bronze rows {acc.bronze:,}")
    if duplicates < 0:
        problems.append(f"silver {acc.silver:,} + quarantine {acc.quarantine:,} exceed bronze {acc.bronze:,}")
    elif acc.bronze != acc.silver + acc.quarantine + duplicates:
        problems.append(f"bronze {acc.bronze:,} != silver {acc.silver:,} + quarantine {acc.quarantine:,} "
                        f"+ duplicates {duplicates:,}")
    metadata = {
        **base, "landed": acc.landed, "landed_files": acc.landed_files, "bronze": acc.bronze,
        "landed_after_bronze_read": MetadataValue.json(list(acc.late_files)),
        "silver": acc.silver, "quarantine": acc.quarantine, "duplicates": duplicates,
        "duplicates_source": "derived (no validation record for these rows)" if derived else "validation record",
    }
    late = f" ({len(acc.late_files)} file(s) landed after bronze read the folder: not counted)" \
        if acc.late_files else ""
    if problems:
        return result(key, ROW_ACCOUNTING, False, "; ".join(problems) + late, metadata)
    return result(key, ROW_ACCOUNTING, True,
                  f"landed {acc.landed:,} = bronze {acc.bronze:,} = silver {acc.silver:,} + quarantine "
                  f"{acc.quarantine:,} + duplicates {duplicates:,}{late}", metadata)


def quarantine_share_result(key: AssetKey, bronze: int, quarantined: int, by_reason: Mapping[str, int],
                            limits: QuarantineShare, base: Mapping) -> AssetCheckResult:
    share = quarantined / bronze if bronze else 0.0
    metadata = {**base, "bronze": bronze, "quarantined": quarantined, "share": round(share, 6),
                "max_share": limits.max_share, "min_rows": limits.min_rows,
                "by_reason": MetadataValue.json({r: n for r, n in by_reason.items() if n})}
    text = f"{quarantined:,} of {bronze:,} rows quarantined ({share:.1%}; max {limits.max_share:.1%})"
    if bronze < limits.min_rows:
        return result(key, QUARANTINE_SHARE, True, f"{text}; fewer than {limits.min_rows} rows, not judged",
                      metadata)
    return result(key, QUARANTINE_SHARE, share <= limits.max_share, text, metadata)
