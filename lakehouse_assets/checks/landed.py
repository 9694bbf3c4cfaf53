"""Count the data lines of landing files in plain Python, independently of Spark.

The row-accounting check compares this count with bronze: a data line is a
non-blank line (docs/decisions.md 1), a CSV's first non-blank line is its header,
a JSONL file has no header, and a Parquet file's rows come from its footer. Local
files are read from disk, S3 objects streamed with boto3 (Parquet footers with
ranged GETs), so a 1 GB file never sits in memory.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import BinaryIO

import pyarrow.parquet as pq

from lakehouse_assets.resources.landing import LandingFile, is_s3, list_landing_files, s3_client, split_s3

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


class _S3RangeReader(io.RawIOBase):
    """A seekable read-only view of an S3 object through ranged GETs (for Parquet footers)."""

    def __init__(self, uri: str, size: int):
        self._client, (self._bucket, self._key) = s3_client(), split_s3(uri)
        self._size, self._pos = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        if self._pos >= self._size or len(buffer) == 0:
            return 0
        end = min(self._pos + len(buffer), self._size) - 1
        data = self._client.get_object(Bucket=self._bucket, Key=self._key,
                                       Range=f"bytes={self._pos}-{end}")["Body"].read()
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


@contextmanager
def _open(landing_file: LandingFile) -> Iterator[BinaryIO]:
    if is_s3(landing_file.uri):
        bucket, key = split_s3(landing_file.uri)
        body = s3_client().get_object(Bucket=bucket, Key=key)["Body"]
        try:
            yield body  # type: ignore[misc]
        finally:
            body.close()
    else:
        with open(landing_file.uri, "rb") as handle:
            yield handle


def parquet_rows(landing_file: LandingFile) -> int:
    if is_s3(landing_file.uri):
        with io.BufferedReader(_S3RangeReader(landing_file.uri, landing_file.size)) as reader:
            return pq.ParquetFile(reader).metadata.num_rows
    return pq.ParquetFile(landing_file.uri).metadata.num_rows


def landed_rows(landing_file: LandingFile) -> int:
    """The data lines (rows) of one landing file; 0 for a format the zone does not read."""
    if landing_file.format == "parquet":
        return parquet_rows(landing_file)
    if landing_file.format not in ("csv", "jsonl"):
        return 0
    with _open(landing_file) as raw:
        compressed = landing_file.uri.lower().endswith(".gz")
        stream = gzip.GzipFile(fileobj=raw) if compressed else raw
        return count_data_lines(stream, has_header=landing_file.format == "csv")


def landed_files(landing_root: str, source: str, days: Iterable[date]) -> list[tuple[LandingFile, int]]:
    """Each readable landing file of a source for `days`, with its data lines."""
    files = [f for f in list_landing_files(landing_root, source, days) if f.format is not None]
    return [(f, landed_rows(f)) for f in files]


def landed_count(landing_root: str, source: str, days: Iterable[date]) -> tuple[int, int]:
    """(data lines, files) of a source's readable landing files for `days`."""
    files = landed_files(landing_root, source, days)
    return sum(rows for _, rows in files), len(files)
