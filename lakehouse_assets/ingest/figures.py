"""One aggregation over a source's bronze rows: what every check of the step needs.

Grouped by landing file, landing date, outcome and quarantine reason, it gives each
file's lines (for audit/ingested_files and the landing check) and each date's row
accounting (bronze = silver + quarantine + duplicates), so neither the landing
check nor the accounting reads a table back.

Two ways to take it, one per kind of step: `pending_figures` on the classified rows a
validating step caches anyway (run with its table metrics, `checks/together.py`), and
`observed_figures` while bronze alone is written (`DataFrame.observe`): the write's
own pass over the lines measures them, with no cache and no second read.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from pyspark.sql import Column, DataFrame, Observation, Row
from pyspark.sql import functions as F

from lakehouse_assets.checks.together import Pending
from lakehouse_assets.columns import PARSE_ERROR, PARTITION_COLUMN, RAW_LINE
from lakehouse_assets.transforms.validation import DUPLICATE, OUTCOME, QUARANTINE, SILVER

MISSING_KEYS = "missing key(s) "
BAD_ENCODING = "bad_encoding"
_FILE_INDEX = "__file_index"
# How long to wait, after the write returned, for Spark to hand over the observed figures
# (they arrive with the write's end event, normally within milliseconds).
OBSERVED_WAIT_SECONDS = 120.0


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


def _line_aggregates(rows: Column | None = None) -> dict[str, Column]:
    """A file's line counts (`FileFigures` fields), over all rows or only where `rows` holds."""
    error = F.col(PARSE_ERROR)
    missing = F.when(error.startswith(MISSING_KEYS), error)

    def only(value: Column) -> Column:
        return value if rows is None else F.when(rows, value)

    return {
        "lines": F.count(only(F.lit(1))),
        "malformed": F.count(only(F.col(RAW_LINE))),
        "bad_encoding": F.count(only(F.when(error.startswith(BAD_ENCODING), 1))),
        "missing_lines": F.count(only(missing)),
        "missing_first": F.min(only(missing)), "missing_last": F.max(only(missing)),
    }


def pending_figures(frame: DataFrame) -> Pending[SourceFigures]:
    """File and date figures of bronze rows, classified (with `_outcome`, `reason`) or not;
    planned, to run with the step's table metrics (`checks/together.py`)."""
    classified = OUTCOME in frame.columns
    groups = ["_source_file", PARTITION_COLUMN] + ([OUTCOME, "reason"] if classified else [])
    grouped = frame.groupBy(*groups).agg(
        *[column.alias(name) for name, column in _line_aggregates().items()],
        F.max("_ingested_at").alias("ingested_at"),
        F.first("_file_hash").alias("file_hash"), F.first("_duplicate_of").alias("duplicate_of"),
    )
    return Pending(grouped, lambda rows: _figures(rows, classified))


def observed_figures(bronze: DataFrame, files: Mapping[str, FileFigures]
                     ) -> tuple[DataFrame, Callable[[], SourceFigures]]:
    """`bronze` measured as it passes, and a function giving its figures once a write of
    the returned frame has run (it raises if none did).

    `files` holds, per `_source_file` the rows can come from, what the driver already
    knows of it (date, hash, re-delivery, read time); the write measures its lines. Each
    row's file is looked up once (an index into `files`), then every file gets its own
    counts: the work per row grows with the number of files, one or a few per date. A row
    whose file is not in `files` fails the figures rather than go uncounted."""
    if not files:
        return bronze, SourceFigures
    uris = list(files)
    observation = Observation(f"bronze_figures_{uuid.uuid4().hex}")
    index = F.create_map(*[part for i, uri in enumerate(uris) for part in (F.lit(uri), F.lit(i))])
    indexed = bronze.withColumn(_FILE_INDEX, F.element_at(index, F.col("_source_file")))
    per_file = [_line_aggregates(F.col(_FILE_INDEX) == F.lit(i)) for i in range(len(uris))]
    names = list(per_file[0])
    measures = [F.count(F.lit(1)).alias("rows")]
    measures += [column.alias(f"{name}.{i}") for i, columns in enumerate(per_file) for name, column in columns.items()]
    observed = indexed.observe(observation, *measures).drop(_FILE_INDEX)

    def figures() -> SourceFigures:
        metrics = _wait_for(observation)
        measured = SourceFigures()
        for i, uri in enumerate(uris):
            if metrics[f"lines.{i}"]:
                lines = {name: metrics[f"{name}.{i}"] for name in names}
                known = files[uri]
                measured.files[uri] = replace(known, **lines)
                measured.dates.setdefault(known.day, DateCounts()).bronze += lines["lines"]
        unknown = metrics["rows"] - sum(f.lines for f in measured.files.values())
        if unknown:
            raise RuntimeError(f"{unknown} bronze row(s) came from none of the step's {len(uris)} landing "
                               "file(s): their lineage is missing")
        return measured

    return observed, figures


def _wait_for(observation: Observation) -> dict:
    """The observed metrics; Spark's own `get` would wait forever if the frame was never run."""
    found: dict = {}
    waiter = threading.Thread(target=lambda: found.update(observation.get), daemon=True)
    waiter.start()
    waiter.join(OBSERVED_WAIT_SECONDS)
    if waiter.is_alive():
        raise RuntimeError("bronze's figures were not measured: its rows were never written by Spark")
    return found


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
