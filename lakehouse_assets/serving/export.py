"""Export of a gold partition to the mart database: a month replaced in one transaction.

1. Spark writes the partition's rows over JDBC into a staging table made `LIKE` the
   mart (same types, same primary key, so a duplicate grain fails here);
2. one transaction deletes the month from the mart and inserts it from staging;
3. the staging table is dropped.

Readers (InnoDB, consistent reads) see the old month until the commit and the new one
after it, never a gap or a mix. A failure before the commit (Spark, the network, a
server restart) rolls back, leaving the mart as it was; the next export of the month
starts by replacing the staging table. An unpartitioned mart is replaced whole the
same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pyspark.sql import DataFrame

from lakehouse_assets.resources.mart_db import MartDatabase
from lakehouse_assets.serving.tables import MONTH, ServedMart

STAGE_PREFIX = "_stage_"
JDBC_BATCH_ROWS = "5000"
# Staging tables are small and private to one export: a few JDBC connections are plenty.
MAX_WRITERS = 2


class ExportError(RuntimeError):
    """The staged rows cannot replace the mart's: nothing was changed."""


@dataclass(frozen=True)
class Exported:
    mart: str
    month: date | None
    rows_deleted: int
    rows_inserted: int


def quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def stage_name(mart: ServedMart, month: date | None) -> str:
    """One staging table per mart and month, so a failed export's leftovers are replaced next time."""
    return f"{STAGE_PREFIX}{mart.name}" + (f"_{month:%Y%m}" if month is not None else "")


def write_stage(db: MartDatabase, mart: ServedMart, frame: DataFrame, stage: str) -> None:
    """(Re)create `stage` like the mart and append `frame`'s rows to it with Spark."""
    connection = db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted(stage)}")
            cursor.execute(f"CREATE TABLE {quoted(stage)} LIKE {quoted(mart.name)}")
    finally:
        connection.close()
    rows = frame.select(*mart.columns)
    if rows.rdd.getNumPartitions() > MAX_WRITERS:
        rows = rows.coalesce(MAX_WRITERS)
    (rows.write.format("jdbc").options(**db.jdbc_options()).option("dbtable", quoted(stage))
     .option("batchsize", JDBC_BATCH_ROWS).mode("append").save())


def replace_rows(cursor, mart: ServedMart, stage: str, month: date | None) -> tuple[int, int]:
    """Inside the caller's transaction: the mart's month (or whole table) := the staged rows.
    Returns (rows deleted, rows inserted)."""
    table, columns = quoted(mart.name), ", ".join(quoted(c) for c in mart.columns)
    if month is not None:
        cursor.execute(f"SELECT COUNT(*) FROM {quoted(stage)} WHERE {MONTH} <> %s", (month,))
        (outside,) = cursor.fetchone()
        if outside:
            raise ExportError(f"{outside} staged rows of {mart.name} are not of month {month:%Y-%m}")
        deleted = cursor.execute(f"DELETE FROM {table} WHERE {MONTH} = %s", (month,))
    else:
        deleted = cursor.execute(f"DELETE FROM {table}")
    inserted = cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {quoted(stage)}")
    return deleted, inserted


def publish_stage(db: MartDatabase, mart: ServedMart, stage: str, month: date | None) -> Exported:
    """Replace the month from `stage` in one transaction, then drop `stage`."""
    connection = db.connect(autocommit=False)
    try:
        connection.begin()
        with connection.cursor() as cursor:
            deleted, inserted = replace_rows(cursor, mart, stage, month)
        connection.commit()
    except BaseException:
        rollback_quietly(connection)
        raise
    finally:
        connection.close()
    drop_stage(db, stage)
    return Exported(mart.name, month, deleted, inserted)


def rollback_quietly(connection) -> None:
    """Roll back if the connection still works; a lost connection was rolled back by the server."""
    try:
        connection.rollback()
    except Exception:  # noqa: BLE001 (the original error is the one to report)
        pass


def drop_stage(db: MartDatabase, stage: str) -> None:
    connection = db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted(stage)}")
    finally:
        connection.close()


def export(db: MartDatabase, mart: ServedMart, frame: DataFrame, month: date | None) -> Exported:
    """The gold rows of `month` (None: the whole unpartitioned mart) replace the mart's."""
    stage = stage_name(mart, month)
    write_stage(db, mart, frame, stage)
    return publish_stage(db, mart, stage, month)
