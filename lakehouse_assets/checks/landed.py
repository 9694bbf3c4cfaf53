"""Count the data lines of landing files in plain Python, independently of Spark.

The row-accounting check compares this count with bronze: a data line is a
non-blank line (docs/decisions.md 1), a CSV's first non-blank line is its header,
a JSONL file has no header, and a Parquet file's rows come from its footer. Local
files are read from disk, S3 objects streamed with boto3 (Parquet footers with
ranged GETs), so a 1 GB file never sits in memory.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import date
from typing import BinaryIO

import pyarrow.parquet as pq

from lakehouse_assets.resources.landing import LandingFile, list_landing_files
from lakehouse_assets.resources.storage import FileStore, store_for

CHUNK_BYTES = 8 * 1024 * 1024
NEWLINE = b"\n"


def count_data_lines(stream: BinaryIO, has_header: bool) -> int:
    """Non-blank lines of a byte stream (`\\n` or `\\r\\n` endings), less a header line."""
    lines, tail = 0, b""
    for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
        parts = (tail + chunk).split(NEWLINE)
        tail = parts.pop()
        lines += sum(1 for part in parts if part.strip())
    lines += 1 if tail.strip() else 0
    return max(lines - 1, 0) if has_header else lines


def parquet_rows(landing_file: LandingFile, store: FileStore | None = None) -> int:
    with (store or store_for(landing_file.uri)).open_seekable(landing_file.uri, landing_file.size) as reader:
        return pq.ParquetFile(reader).metadata.num_rows


def landed_rows(landing_file: LandingFile, store: FileStore | None = None) -> int:
    """The data lines (rows) of one landing file; 0 for a format the zone does not read."""
    store = store or store_for(landing_file.uri)
    if landing_file.format == "parquet":
        return parquet_rows(landing_file, store)
    if landing_file.format not in ("csv", "jsonl"):
        return 0
    with store.open(landing_file.uri) as raw:
        compressed = landing_file.uri.lower().endswith(".gz")
        stream = gzip.GzipFile(fileobj=raw) if compressed else raw
        return count_data_lines(stream, has_header=landing_file.format == "csv")


def landed_files(landing_root: str, source: str, days: Iterable[date]) -> list[tuple[LandingFile, int]]:
    """Each readable landing file of a source for `days`, with its data lines."""
    store = store_for(landing_root)
    files = [f for f in list_landing_files(landing_root, source, days, store) if f.format is not None]
    return [(f, landed_rows(f, store)) for f in files]


def landed_count(landing_root: str, source: str, days: Iterable[date]) -> tuple[int, int]:
    """(data lines, files) of a source's readable landing files for `days`."""
    files = landed_files(landing_root, source, days)
    return sum(rows for _, rows in files), len(files)
