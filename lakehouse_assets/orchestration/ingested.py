"""What `audit/ingested_files` says was ingested, read without Spark.

Sensors run in the code server, not in a run, so they must not start a JVM; the
archive job only moves files. The audit table is small (one row per landing file),
so its current snapshot is read straight from the Delta log with pyarrow: the latest
checkpoint, then every JSON commit after it (Delta protocol, reader version 1).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq

from lakehouse_assets.resources.landing import is_s3, s3_client, split_s3

AUDIT_TABLE = ("audit", "ingested_files")
_COMMIT = re.compile(r"^(\d{20})\.json$")
_CHECKPOINT = re.compile(r"^(\d{20})\.checkpoint(?:\.(\d{10})\.(\d{10}))?\.parquet$")
_V2_CHECKPOINT = re.compile(r"^\d{20}\.checkpoint\.[0-9a-fA-F-]{36}\.(?:json|parquet)$")


class DeltaReadError(RuntimeError):
    """The table uses a Delta feature this reader does not handle; the message says which."""


def _list(folder: str, client) -> list[str]:
    if not is_s3(folder):
        root = Path(folder)
        return sorted(p.name for p in root.iterdir()) if root.is_dir() else []
    bucket, prefix = split_s3(folder)
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/")
    return sorted(obj["Key"].rsplit("/", 1)[-1] for page in pages for obj in page.get("Contents", []))


def _read_bytes(uri: str, client) -> bytes:
    if not is_s3(uri):
        return Path(uri).read_bytes()
    bucket, key = split_s3(uri)
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def _latest_checkpoint(names: list[str]) -> tuple[int, list[str]]:
    """The newest checkpoint whose parts are all present: (version, file names), or (-1, [])."""
    parts: dict[int, dict[int, str]] = {}
    expected: dict[int, int] = {}
    for name in names:
        if _V2_CHECKPOINT.match(name):
            raise DeltaReadError(f"v2 checkpoint {name} is not supported by this reader")
        match = _CHECKPOINT.match(name)
        if match:
            version = int(match.group(1))
            part, total = int(match.group(2) or 1), int(match.group(3) or 1)
            parts.setdefault(version, {})[part] = name
            expected[version] = total
    complete = [v for v in parts if len(parts[v]) == expected[v]]
    if not complete:
        return -1, []
    version = max(complete)
    return version, [parts[version][i] for i in sorted(parts[version])]


def _apply(active: dict[str, dict], action: dict) -> None:
    if action.get("metaData") and action["metaData"].get("partitionColumns"):
        raise DeltaReadError("partitioned tables are not supported by this reader")
    add, remove = action.get("add"), action.get("remove")
    if add:
        if add.get("deletionVector"):
            raise DeltaReadError("deletion vectors are not supported by this reader")
        active[add["path"]] = add
    if remove:
        active.pop(remove["path"], None)


def active_files(table_uri: str, client=None) -> list[str] | None:
    """URIs of the data files of the table's current snapshot; None if there is no table."""
    client = client or (s3_client() if is_s3(table_uri) else None)
    log = f"{table_uri.rstrip('/')}/_delta_log"
    names = _list(log, client)
    if not any(_COMMIT.match(n) for n in names):
        return None
    version, checkpoint = _latest_checkpoint(names)
    active: dict[str, dict] = {}
    for name in checkpoint:
        table = pq.read_table(pa.BufferReader(_read_bytes(f"{log}/{name}", client)), columns=["add", "metaData"])
        for row in table.to_pylist():
            _apply(active, row)
    for name in names:
        match = _COMMIT.match(name)
        if match and int(match.group(1)) > version:
            for line in _read_bytes(f"{log}/{name}", client).decode("utf-8").splitlines():
                if line.strip():
                    _apply(active, json.loads(line))
    return [path if "://" in path else f"{table_uri.rstrip('/')}/{unquote(path)}" for path in sorted(active)]


def read_rows(table_uri: str, columns: list[str], client=None) -> list[dict]:
    """The current rows of an unpartitioned Delta table (selected columns); [] if no table."""
    client = client or (s3_client() if is_s3(table_uri) else None)
    rows: list[dict] = []
    for uri in active_files(table_uri, client) or []:
        rows += pq.read_table(pa.BufferReader(_read_bytes(uri, client)), columns=columns).to_pylist()
    return rows


def audit_uri(lakehouse_root: str) -> str:
    return f"{lakehouse_root.rstrip('/')}/{'/'.join(AUDIT_TABLE)}"


def ingested_content(lakehouse_root: str, pairs: Iterable[tuple[str, date]], client=None) -> set[tuple[str, date, str]]:
    """(source, partition date, content hash) of every audited file of the given (source, date) pairs."""
    wanted = set(pairs)
    if not wanted:
        return set()
    rows = read_rows(audit_uri(lakehouse_root), ["source", "partition_date", "content_hash"], client)
    return {(r["source"], r["partition_date"], r["content_hash"]) for r in rows
            if (r["source"], r["partition_date"]) in wanted and r["content_hash"]}
