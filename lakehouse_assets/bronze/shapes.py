"""What a landing file looks like before Spark reads it: its columns, and what is wrong with them.

Inspected on the driver with one small read per file: a CSV's header (its first
non-blank line), a Parquet file's schema, a gzip stream's integrity. Readers map
columns by these names, and the blocking bronze check names the file and the column
from the same `Problem`s, so reading and checking can never disagree.

The line rules live here too, in plain Python, because the header is found by them:
a line ends at LF (a CR before it is dropped), is decoded as UTF-8 with U+FFFD for
bytes that are not UTF-8, and is blank when it holds only spaces, tabs, CR, VT or FF.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from lakehouse_assets.resources.storage import store_for
from lakehouse_assets.sources import Source

BLANK = frozenset(" \t\r\x0b\x0c")
BOM = "\ufeff"
REPLACEMENT = "\ufffd"
CHUNK = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024

MISSING, UNEXPECTED, NOT_STRING, UNREADABLE = "missing_column", "unexpected_column", "not_string", "unreadable"
BLOCKING = frozenset({MISSING, NOT_STRING, UNREADABLE})
REJECT, CARRY = "reject", "carry"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file as a whole; `column` is None when no column is to blame."""

    kind: str
    column: str | None
    detail: str

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING


@dataclass(frozen=True)
class FileShape:
    """A file's columns in landing order (None: unknown) and its file-level problems."""

    path: str
    columns: tuple[str, ...] | None
    header_bytes: bytes | None = None  # CSV: the header as landed (no CR, no BOM); equal lines are headers
    problems: tuple[Problem, ...] = ()
    types: tuple[str, ...] | None = None  # Parquet: the columns' types, in order
    lines_readable: bool = True  # False: Spark cannot read the bytes at all (corrupt gzip, Parquet)

    def line_error(self, new_columns: str) -> str | None:
        """The `_parse_error` every line of this file gets, or None when lines are judged one by one."""
        missing = [p.column for p in self.problems if p.kind == MISSING]
        blocking = [f"missing column(s) {', '.join(missing)}"] if missing else []
        blocking += [p.detail for p in self.problems if p.blocking and p.kind != MISSING]
        if blocking:
            return "; ".join(blocking)
        unexpected = [p.column for p in self.problems if p.kind == UNEXPECTED]
        if unexpected and new_columns == REJECT:
            return f"unexpected column(s) {', '.join(unexpected)} (schema_drift.new_columns: reject)"
        return None


def line_text(raw: bytes) -> str:
    """One line as bronze sees it: UTF-8 with replacement, without its CR."""
    text = raw.decode("utf-8", errors="replace")
    return text[:-1] if text.endswith("\r") else text


def is_blank(text: str) -> bool:
    return all(ch in BLANK for ch in text)


def column_problems(source: Source, columns: tuple[str, ...], types: dict[str, str] | None = None) -> list[Problem]:
    """Missing contract columns, unexpected ones and (Parquet) contract columns that are not strings."""
    problems = [Problem(MISSING, c, f"no column {c}{' (required)' if c in source.required else ''}")
                for c in source.columns if c not in columns]
    problems += [Problem(UNEXPECTED, c, f"unexpected column {c}") for c in columns if c not in source.columns]
    problems += [Problem(NOT_STRING, c, f"column {c} is {t}, not string")
                 for c, t in (types or {}).items() if c in source.columns and t != "string"]
    return problems


def _chunks(path: str) -> Iterator[bytes]:
    """The file's bytes in chunks, local or S3 (s3:// or s3a://); the stream stops when the caller does."""
    with store_for(path).open(path) as stream:
        yield from iter(lambda: stream.read(CHUNK), b"")


def _decompressed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
    for chunk in chunks:
        yield inflate.decompress(chunk)
        while inflate.eof and inflate.unused_data:  # concatenated gzip members
            rest, inflate = inflate.unused_data, zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield inflate.decompress(rest)
    if not inflate.eof:
        raise EOFError("the gzip stream ends before its end marker (truncated file)")


def first_line(stream: Iterator[bytes]) -> bytes | None:
    """The first non-blank line of a byte stream, without its CR and BOM; None if there is none."""
    pending = b""
    for chunk in stream:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            if not is_blank(line_text(raw)):
                return _bare(raw)
        if len(pending) > MAX_HEADER_BYTES:
            raise ValueError(f"no line break in the first {MAX_HEADER_BYTES // 2**20} MB")
    return None if is_blank(line_text(pending)) else _bare(pending)


def _bare(raw: bytes) -> bytes:
    raw = raw[:-1] if raw.endswith(b"\r") else raw
    return raw.removeprefix(BOM.encode())


def gzip_problem(path: str) -> Problem | None:
    """Read a gzip file through once on the driver: Spark would fail the whole step on a corrupt one."""
    try:
        for _ in _decompressed(_chunks(path)):
            pass
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        return Problem(UNREADABLE, None, f"not a readable gzip file ({error})")
    return None


def csv_shape(path: str, source: Source) -> FileShape:
    """The header of a CSV (or CSV.gz) file and what is wrong with it."""
    compressed = path.lower().endswith(".gz")
    broken = gzip_problem(path) if compressed else None
    if broken:
        return FileShape(path, None, problems=(broken,), lines_readable=False)
    try:
        stream = _decompressed(_chunks(path)) if compressed else _chunks(path)
        raw = first_line(stream)
    except ValueError as error:
        return FileShape(path, None, problems=(Problem(UNREADABLE, None, f"no header line: {error}"),))
    if raw is None:  # empty or blank: no data lines either
        return FileShape(path, tuple(source.columns))
    header = raw.decode("utf-8", errors="replace")
    unusable = _header_problem(header)
    if unusable:
        return FileShape(path, None, raw, (Problem(UNREADABLE, None, unusable),))
    columns = tuple(next(csv.reader([header], strict=True)))
    return FileShape(path, columns, raw, tuple(column_problems(source, columns)))


def _header_problem(header: str) -> str | None:
    if REPLACEMENT in header or "\x00" in header:
        return "header is not UTF-8 text (wrong encoding?)"
    try:
        columns = next(csv.reader([header], strict=True))
    except csv.Error as error:
        return f"header is not valid CSV ({error})"
    if len(set(columns)) != len(columns) or "" in columns:
        return "header has empty or repeated column names"
    return None


def parquet_shape(spark, path: str, source: Source) -> FileShape:
    """A Parquet file's columns and types, from its footer."""
    try:
        schema = spark.read.parquet(path).schema
    except Exception as error:  # py4j wraps the JVM's reason; the file is what matters here
        first = (str(error).strip().splitlines() or ["unknown error"])[0][:200]
        return FileShape(path, None, problems=(Problem(UNREADABLE, None, f"not a readable Parquet file ({first})"),),
                         lines_readable=False)
    types = {f.name: f.dataType.simpleString() for f in schema.fields}
    columns = tuple(types)
    return FileShape(path, columns, problems=tuple(column_problems(source, columns, types)),
                     types=tuple(types.values()))


def inspect(spark, path: str, fmt: str, source: Source) -> FileShape:
    if fmt == "csv":
        return csv_shape(path, source)
    if fmt == "parquet":
        return parquet_shape(spark, path, source)
    return FileShape(path, tuple(source.columns))  # JSONL: keys are judged line by line
