"""What `audit/ingested_files` says was ingested, read without Spark.

Sensors run in the code server, not in a run, so they must not start a JVM; the
archive job only moves files. The audit table is small (one row per landing file),
so its current snapshot is read with delta-rs (the `deltalake` package: checkpoints,
partitions, file statistics to skip files), which reaches S3 with the same AWS
environment as Spark's s3a. Its pyarrow reader refuses tables with deletion vectors or
column mapping (`DeltaProtocolError`); the audit table uses neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from lakehouse_assets.io_managers.delta_rs import open_delta_rs

AUDIT_TABLE = ("audit", "ingested_files")


def _table(table_uri: str) -> DeltaTable | None:
    try:
        return open_delta_rs(table_uri)
    except TableNotFoundError:
        return None


def active_files(table_uri: str, client=None) -> list[str] | None:
    """URIs of the data files of the table's current snapshot; None if there is no table.

    `client` (a boto3 client) is accepted for callers that have one; delta-rs makes its own."""
    table = _table(table_uri)
    return None if table is None else sorted(table.file_uris())


def read_rows(table_uri: str, columns: list[str], client=None, filters: pc.Expression | None = None) -> list[dict]:
    """The current rows of a Delta table (selected columns, optionally filtered); [] if no table."""
    table = _table(table_uri)
    if table is None:
        return []
    return table.to_pyarrow_table(columns=columns, filters=filters).to_pylist()


def audit_uri(lakehouse_root: str) -> str:
    return f"{lakehouse_root.rstrip('/')}/{'/'.join(AUDIT_TABLE)}"


def ingested_content(lakehouse_root: str, pairs: Iterable[tuple[str, date]], client=None) -> set[tuple[str, date, str]]:
    """(source, partition date, content hash) of every audited file of the given (source, date) pairs."""
    wanted = set(pairs)
    if not wanted:
        return set()
    days = pc.field("partition_date").isin(pa.array(sorted({day for _, day in wanted}), pa.date32()))
    rows = read_rows(audit_uri(lakehouse_root), ["source", "partition_date", "content_hash"], client, days)
    return {(r["source"], r["partition_date"], r["content_hash"]) for r in rows
            if (r["source"], r["partition_date"]) in wanted and r["content_hash"]}
