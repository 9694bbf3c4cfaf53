"""Landing file formats and where the files go (a local folder or S3).

Formats, one per source so every reader of the pipeline is exercised: CSV (UTF-8,
header, comma, RFC 4180 quoting only where needed, `\\n` line ends, never a line
break inside a field), gzip-compressed CSV, JSONL (all values strings or null)
and Parquet (all columns strings). Every writer is byte-deterministic: gzip with
mtime 0 and no file name in its header, JSON with fixed key order.

`LandingZone` writes each file through the root's `FileStore` (resources/storage.py):
under a hidden `.name.partial` (local) or a temp file (S3), then publishes it:
`os.replace` into place, or a streaming multipart upload with boto3 (server-side
encrypted), which reads endpoint and credentials from the standard AWS environment
(`AWS_ENDPOINT_URL` included). Readers never see half a file.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lakehouse_assets.generate.defects import Truncated
from lakehouse_assets.resources.storage import store_for


def _quote(text: str) -> str:
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Sequence[str | None]) -> str:
    """One RFC 4180 CSV line (with `\\n`): a field is quoted only if it has to be."""
    texts = ["" if v is None else str(v) for v in values]
    line = ",".join(texts)
    if line.count(",") == len(texts) - 1 and '"' not in line and "\n" not in line and "\r" not in line:
        return line + "\n"  # the common case: nothing to quote
    return ",".join(_quote(t) for t in texts) + "\n"


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence], gz: bool = False) -> int:
    """Header + rows as CSV (gzip-compressed if `gz`); returns the number of data lines."""
    count = 0
    with open(path, "wb") as raw:
        sink = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if gz else raw
        with io.TextIOWrapper(sink, encoding="utf-8", newline="") as text:
            text.write(csv_line(columns))
            for row in rows:
                text.write(csv_line(row))
                count += 1
        if gz:
            sink.close()
    return count


def jsonl_line(columns: Sequence[str], row) -> str:
    """One JSON object per line; a `Truncated` row is cut off halfway through its text."""
    values = row.row if isinstance(row, Truncated) else row
    record = dict(zip(columns, values))
    for i, extra in enumerate(values[len(columns):], start=1):
        record[f"extra_{i}"] = extra
    text = json.dumps(record, ensure_ascii=False)
    return (text[: len(text) // 2] if isinstance(row, Truncated) else text) + "\n"


def write_jsonl(path: Path, columns: Sequence[str], rows: Iterable) -> int:
    """One JSON object per row (UTF-8, non-ASCII kept as is); returns the number of lines."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for row in rows:
            out.write(jsonl_line(columns, row))
            count += 1
    return count


def write_parquet(path: Path, columns: Sequence[str], rows: Sequence[Sequence]) -> int:
    """A Parquet file whose columns are all strings (nulls allowed)."""
    table = pa.table({c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(columns)})
    pq.write_table(table, path, compression="snappy")
    return len(rows)


def write_rows(fmt: str, path: Path, columns: Sequence[str], rows: list) -> int:
    """Write `rows` in landing format `fmt` (`csv`, `csv.gz`, `jsonl`, `parquet`)."""
    if fmt == "jsonl":
        return write_jsonl(path, columns, rows)
    if fmt == "parquet":
        return write_parquet(path, columns, rows)
    return write_csv(path, columns, rows, gz=(fmt == "csv.gz"))


class LandingZone:
    """`{root}/{source}/date={YYYY-MM-DD}/{name}` on local disk or S3 (its `FileStore`)."""

    def __init__(self, root: str):
        self.root = root.rstrip("/")
        self.store = store_for(self.root)  # S3: encryption from config, read at the first upload

    def __enter__(self) -> LandingZone:
        return self

    def __exit__(self, *exc) -> None:
        return None  # each file's staging cleans up after itself

    def folder(self, source: str, day: date) -> str:
        return f"{self.root}/{source}/date={day.isoformat()}"

    @contextmanager
    def writing(self, source: str, day: date, name: str, copies: Sequence[str] = ()) -> Iterator[Path]:
        """Yield a local path to write; then publish it as `name` (and as each of `copies`)."""
        folder = self.folder(source, day)
        with self.store.staged(f"{folder}/{name}", [f"{folder}/{copy}" for copy in copies]) as path:
            yield path
