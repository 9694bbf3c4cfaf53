"""One aggregation over a source's classified bronze rows: what every check of the step needs.

Grouped by landing file, landing date, outcome and quarantine reason, it gives each
file's lines (for audit/ingested_files and the landing check) and each date's row
accounting (bronze = silver + quarantine + duplicates), so neither the landing
check nor the accounting reads a table back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from lakehouse_assets.checks.together import Pending
from lakehouse_assets.columns import PARSE_ERROR, PARTITION_COLUMN, RAW_LINE
from lakehouse_assets.transforms.validation import DUPLICATE, OUTCOME, QUARANTINE, SILVER

MISSING_KEYS = "missing key(s) "
BAD_ENCODING = "bad_encoding"


@dataclass
class FileFigures:
    """One landing file's lines in bronze."""

    day: date
    lines: int = 0
    malformed: int = 0
    bad_encoding: int = 0
    missing_lines: int = 0
    missing_first: str | None = None
    missing_last: str | None = None
    ingested_at: datetime | None = None
    file_hash: str | None = None
    duplicate_of: str | None = None


@dataclass
class DateCounts:
    """One landing date's row accounting."""

    bronze: int = 0
    silver: int = 0
    quarantine: int = 0
    duplicate: int = 0
    by_reason: Counter = field(default_factory=Counter)


@dataclass
class SourceFigures:
    files: dict[str, FileFigures] = field(default_factory=dict)
    dates: dict[date, DateCounts] = field(default_factory=dict)

    def last_read(self) -> dict[date, datetime | None]:
        """Per landing date, when bronze last read it (the latest `_ingested_at`)."""
        latest: dict[date, datetime | None] = {}
        for figures in self.files.values():
            known = latest.get(figures.day)
            if figures.ingested_at is not None and (known is None or figures.ingested_at > known):
                latest[figures.day] = figures.ingested_at
        return latest


def _merge(current: str | None, new: str | None, pick) -> str | None:
    return new if current is None else current if new is None else pick(current, new)


def pending_figures(frame: DataFrame) -> Pending[SourceFigures]:
    """File and date figures of bronze rows, classified (with `_outcome`, `reason`) or not;
    planned, to run with the step's table metrics (`checks/together.py`)."""
    classified = OUTCOME in frame.columns
    error = F.col(PARSE_ERROR)
    missing = F.when(error.startswith(MISSING_KEYS), error)
    groups = ["_source_file", PARTITION_COLUMN] + ([OUTCOME, "reason"] if classified else [])
    grouped = frame.groupBy(*groups).agg(
        F.count(F.lit(1)).alias("lines"),
        F.count(F.col(RAW_LINE)).alias("malformed"),
        F.count(F.when(error.startswith(BAD_ENCODING), 1)).alias("bad_encoding"),
        F.count(missing).alias("missing_lines"),
        F.min(missing).alias("missing_first"), F.max(missing).alias("missing_last"),
        F.max("_ingested_at").alias("ingested_at"),
        F.first("_file_hash").alias("file_hash"), F.first("_duplicate_of").alias("duplicate_of"),
    )
    return Pending(grouped, lambda rows: _figures(rows, classified))


def _figures(rows: list[Row], classified: bool) -> SourceFigures:
    figures = SourceFigures()
    for row in rows:
        day = row[PARTITION_COLUMN]
        f = figures.files.setdefault(row["_source_file"], FileFigures(day))
        f.lines += row["lines"]
        f.malformed += row["malformed"]
        f.bad_encoding += row["bad_encoding"]
        f.missing_lines += row["missing_lines"]
        f.missing_first = _merge(f.missing_first, row["missing_first"], min)
        f.missing_last = _merge(f.missing_last, row["missing_last"], max)
        if row["ingested_at"] is not None and (f.ingested_at is None or row["ingested_at"] > f.ingested_at):
            f.ingested_at = row["ingested_at"]
        f.file_hash = f.file_hash or row["file_hash"]
        f.duplicate_of = f.duplicate_of or row["duplicate_of"]
        counts = figures.dates.setdefault(day, DateCounts())
        counts.bronze += row["lines"]
        if classified:
            outcome = row[OUTCOME]
            if outcome == SILVER:
                counts.silver += row["lines"]
            elif outcome == QUARANTINE:
                counts.quarantine += row["lines"]
                counts.by_reason[row["reason"]] += row["lines"]
            elif outcome == DUPLICATE:
                counts.duplicate += row["lines"]
    return figures
