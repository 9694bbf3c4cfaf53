"""An independent reader + validator of landing files, written from SPEC §2/§3 and
the `sources.py` contract only (it shares no code with the generator), so the
generator's tests check its output against the specification, not against itself.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lakehouse_assets.sources import DEFAULT_CURRENCIES, SOURCES, ColumnType, Source, format_of

_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass
class LandedFile:
    path: Path
    source: str
    day: date
    fmt: str
    records: list  # list[list[str | None]] or None for an unparseable line
    sha256: str


def parse_file(path: Path, source: Source) -> list:
    """Data records of one landing file; None for a line that cannot be parsed as a record."""
    fmt = format_of(path.name)
    if fmt == "parquet":
        table = pq.ParquetFile(path).read()  # (read_table would add the hive `date` column)
        assert table.column_names == list(source.columns), path
        assert all(t == pa.string() for t in table.schema.types), path
        return [list(r.values()) for r in table.to_pylist()]
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.name.endswith(".gz") else raw).decode("utf-8")
    assert text == "" or text.endswith("\n"), path
    lines = text.split("\n")[:-1]
    if fmt == "jsonl":
        return [_json_record(line, source) for line in lines]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(lines), f"{path}: a field contains a line break"
    assert rows[0] == list(source.columns), path
    return rows[1:]


def _json_record(line: str, source: Source) -> list | None:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None
    assert isinstance(obj, dict)
    assert all(v is None or isinstance(v, str) for v in obj.values()), line
    if set(obj) != set(source.columns):
        return None  # missing or extra key
    return [obj[c] for c in source.columns]


def load_landing(root: Path) -> list[LandedFile]:
    """Every file under `root`, checked against the `{source}/date=YYYY-MM-DD/{file}` layout."""
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        source_dir, date_dir = path.parent.parent.name, path.parent.name
        assert source_dir in SOURCES and date_dir.startswith("date="), path
        day = date.fromisoformat(date_dir[5:])
        files.append(LandedFile(path, source_dir, day, str(format_of(path.name)),
                                parse_file(path, SOURCES[source_dir]),
                                hashlib.sha256(path.read_bytes()).hexdigest()))
    return files


def parses(value: str, ctype: ColumnType) -> bool:
    if ctype == ColumnType.STRING:
        return True
    if ctype == ColumnType.INTEGER:
        return bool(_INTEGER.fullmatch(value))
    if ctype == ColumnType.DECIMAL:
        return bool(_DECIMAL.fullmatch(value))
    if ctype == ColumnType.CURRENCY:
        return bool(_CURRENCY.fullmatch(value))
    pattern, fmt = (_DATE, "%Y-%m-%d") if ctype == ColumnType.DATE else (_TIMESTAMP, "%Y-%m-%d %H:%M:%S")
    if not pattern.fullmatch(value):
        return False
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _out_of_range(source: str, v: dict) -> str | None:
    dec = lambda c: Decimal(v[c]) if v[c] else Decimal(0)  # noqa: E731 (empty discount = 0)
    if source == "orders":
        if int(v["line_number"]) < 1:
            return "line_number"
        if int(v["quantity"]) < 1:
            return "quantity"
        if dec("unit_price") < 0:
            return "unit_price"
        if dec("discount_amount") < 0 or dec("discount_amount") > int(v["quantity"]) * dec("unit_price"):
            return "discount_amount"
    if source == "products":
        for c in ("unit_cost_usd", "list_price_usd"):
            if dec(c) < 0:
                return c
    if source == "fx_rates" and dec("usd_per_unit") <= 0:
        return "usd_per_unit"
    return None


def classify(source: Source, record: list | None, folder: date,
             currencies: tuple[str, ...] = DEFAULT_CURRENCIES) -> tuple[str | None, str | None]:
    """(reason, detail) of the first §3 rule the record fails, or (None, None)."""
    if record is None or len(record) != len(source.columns):
        return "malformed_row", None
    v = dict(zip(source.columns, record))
    for c in source.required:
        if v[c] is None or v[c] == "":
            return "missing_value", c
    for c in source.columns:
        if v[c] not in (None, "") and not parses(v[c], source.type_of(c)):
            return "bad_type", c
    detail = _out_of_range(source.name, v)
    if detail:
        return "out_of_range", detail
    if source.partition_column and v[source.partition_column][:10] != folder.isoformat():
        return "wrong_partition", source.partition_column
    if source.currency_column and v[source.currency_column] not in currencies:
        return "unknown_currency", source.currency_column
    return None, None


def file_report(f: LandedFile) -> tuple[Counter, list[list]]:
    """Counts per reason and duplicate kind for one file, and its valid de-duplicated rows."""
    source = SOURCES[f.source]
    counts: Counter = Counter()
    seen: dict[tuple, list] = {}
    for record in f.records:
        reason, _ = classify(source, record, f.day)
        if reason:
            counts[reason] += 1
            continue
        key = tuple(record[source.columns.index(c)] for c in source.key)
        if key in seen:
            counts["duplicate" if seen[key] == record else "duplicate_changed"] += 1
        else:
            seen[key] = record
    return counts, list(seen.values())
