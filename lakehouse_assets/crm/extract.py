"""Incremental extraction of the CRM tables into bronze, with a high-water mark (SPEC §7).

For each table: read the rows with `lower <= updated_at < until` over JDBC, where `lower`
is the recorded high-water mark minus the configured overlap (nothing: a full extract)
and `until` the end of the run's last day. The overlap re-reads rows committed late with
an older `updated_at`; bronze keeps one row per (id, updated_at), so re-read rows are
counted as already there, never written twice. The touched dates of bronze are replaced
atomically with their old rows plus the new ones.

The new marks are written to `audit/source_watermarks` only after every table's bronze
commit: a crash in between leaves the old marks, and the next extraction reads the same
rows again, which the de-duplication makes harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse_assets.columns import PARTITION_COLUMN, UPDATED_AT_COL
from lakehouse_assets.io_managers.tables import Commit, DeltaTables
from lakehouse_assets.resources.crm_db import CrmDatabase
from lakehouse_assets.settings_sections import CrmSettings
from lakehouse_assets.sources import CRM_SOURCES, CRM_TABLES, Source
from lakehouse_assets.transforms.crm import bronze_rows

WATERMARKS = ["audit", "source_watermarks"]
INCREMENTAL, FULL = "incremental", "full"
TEXT_FORMAT, PY_FORMAT = "yyyy-MM-dd HH:mm:ss.SSSSSS", "%Y-%m-%d %H:%M:%S.%f"
TIMESTAMP_COLUMNS = ("high_water_mark", "lower_bound", "upper_bound", "extracted_at")
WATERMARK_SCHEMA = (
    "source string, source_table string, high_water_mark timestamp, lower_bound timestamp, "
    "upper_bound timestamp, mode string, rows_read long, rows_added long, extracted_at timestamp, run_id string"
)


@dataclass(frozen=True)
class TableExtract:
    """What one table's extraction read and committed."""

    source: str
    lower: datetime | None
    until: datetime
    rows_read: int
    rows_added: int
    high_water_mark: datetime | None
    commit: Commit | None  # None: nothing new, bronze untouched

    @property
    def duplicates(self) -> int:
        return self.rows_read - self.rows_added


def as_text(column: str) -> Column:
    """A timestamp as UTC wall-clock text (the session time zone is UTC): marks cross between
    Spark, Python and PostgreSQL as text, so no process's local time zone can shift them."""
    return F.date_format(F.col(column), TEXT_FORMAT)


def parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, PY_FORMAT)


def literal(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime(PY_FORMAT)


def current_marks(tables: DeltaTables) -> dict[str, datetime]:
    """source -> its recorded high-water mark, UTC (none recorded: not in the result)."""
    if not tables.exists(WATERMARKS):
        return {}
    rows = tables.read(WATERMARKS).select("source", as_text("high_water_mark").alias("mark")).collect()
    return {r["source"]: parse(r["mark"]) for r in rows if r["mark"] is not None}


def read_table(spark: SparkSession, db: CrmDatabase, table: str, lower: datetime | None, until: datetime,
               fetch_size: int) -> DataFrame:
    """The rows of `table` with `lower <= updated_at < until` (timestamps are UTC, naive)."""
    where = f"updated_at < TIMESTAMP '{literal(until)}'"
    if lower is not None:
        where += f" AND updated_at >= TIMESTAMP '{literal(lower)}'"
    query = f"(SELECT * FROM {table} WHERE {where}) AS extract"
    return spark.read.format("jdbc").options(**db.jdbc_options(fetch_size), dbtable=query).load()


def merge_into_bronze(tables: DeltaTables, source: Source, new_rows: DataFrame) -> tuple[int, Commit | None]:
    """Add the rows bronze does not hold yet (by (id, updated_at)); replace the dates they
    touch, old rows kept, in one commit. Returns (rows added, the commit or None)."""
    key = ["bronze", source.name]
    span = new_rows.agg(F.min(PARTITION_COLUMN).alias("first"), F.max(PARTITION_COLUMN).alias("last")).first()
    if span["first"] is None:
        return 0, None
    start, end = span["first"], span["last"] + timedelta(days=1)
    old = tables.read(key, PARTITION_COLUMN, start, end) if tables.exists(key) else None
    added = new_rows if old is None else new_rows.join(old.select(*source.key), list(source.key), "left_anti")
    added.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        count = added.count()
        if count == 0:
            return 0, None
        merged = added if old is None else old.unionByName(added)
        # Delta reads the old rows from the version being replaced: a snapshot, so the
        # overwrite of the same dates is safe.
        return count, tables.replace_window(merged, key, PARTITION_COLUMN, start, end)
    finally:
        added.unpersist()


def extract_table(spark: SparkSession, tables: DeltaTables, db: CrmDatabase, settings: CrmSettings,
                  source: Source, mark: datetime | None, until: datetime, run_id: str, full: bool) -> TableExtract:
    lower = None if full or mark is None else mark - timedelta(minutes=settings.overlap_minutes)
    jdbc = read_table(spark, db, CRM_TABLES[source.name], lower, until, settings.fetch_size)
    jdbc.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        figures = jdbc.agg(F.count("*").alias("n"), F.max(UPDATED_AT_COL).alias("mark")) \
            .select("n", as_text("mark").alias("mark")).first()
        extracted_at = literal(datetime.now(UTC).replace(tzinfo=None))
        bronze = bronze_rows(jdbc, source, extracted_at, run_id, FULL if lower is None else INCREMENTAL)
        added, commit = merge_into_bronze(tables, source, bronze)
    finally:
        jdbc.unpersist()
    new_mark = max([m for m in (mark, parse(figures["mark"])) if m is not None], default=None)
    return TableExtract(source.name, lower, until, int(figures["n"]), added, new_mark, commit)


def marks_frame(spark: SparkSession, extracts: list[TableExtract], run_id: str) -> DataFrame:
    """One audit/source_watermarks row per extracted table: its new mark, bounds and counts."""
    now = literal(datetime.now(UTC).replace(tzinfo=None))
    rows = [(e.source, CRM_TABLES[e.source], literal(e.high_water_mark), literal(e.lower), literal(e.until),
             INCREMENTAL if e.lower is not None else FULL, e.rows_read, e.rows_added, now, run_id)
            for e in extracts]
    text = spark.createDataFrame(rows, WATERMARK_SCHEMA.replace(" timestamp", " string"))
    return text.select(*[F.col(c).cast("timestamp").alias(c) if c in TIMESTAMP_COLUMNS else F.col(c)
                         for c in text.columns])


def record_marks(spark: SparkSession, tables: DeltaTables, extracts: list[TableExtract], run_id: str) -> Commit:
    """Set every extracted table's mark in one commit (called after all bronze commits).

    The table holds a row per source table: it is rewritten whole (an atomic overwrite), the
    marks of tables not extracted now kept as they were."""
    fresh = marks_frame(spark, extracts, run_id)
    if tables.exists(WATERMARKS):
        kept = tables.read(WATERMARKS).join(fresh.select("source"), "source", "left_anti")
        fresh = kept.select(*fresh.columns).unionByName(fresh).localCheckpoint()  # read before overwritten
    return tables.overwrite(fresh.coalesce(1), WATERMARKS)


def extract(spark: SparkSession, tables: DeltaTables, db: CrmDatabase, settings: CrmSettings,
            until: datetime, run_id: str, full: bool = False) -> tuple[list[TableExtract], Commit]:
    """Extract every CRM table into bronze, then record the new marks."""
    marks = current_marks(tables)
    extracts = [extract_table(spark, tables, db, settings, source, marks.get(name), until, run_id, full)
                for name, source in CRM_SOURCES.items()]
    return extracts, record_marks(spark, tables, extracts, run_id)
