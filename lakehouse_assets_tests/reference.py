"""An independent, plain-Python reading of SPEC §3 for every source, to check the Spark
pipeline against. It shares no code with the package: the column lists, rules and
file formats are written out again here from SPEC.md and docs/decisions.md."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pyarrow.parquet as pq

CURRENCIES = {"USD", "EUR", "GBP", "INR", "JPY", "CAD", "AUD"}
INT_RE = re.compile(r"^[+-]?\d+$")
DEC_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CUR_RE = re.compile(r"^[A-Z]{3}$")
INT_MAX = 2**31 - 1


def _int(v):
    return int(v) if INT_RE.match(v) and abs(int(v)) <= INT_MAX else None


def _dec(v, scale=2, digits=14):
    if not DEC_RE.match(v):
        return None
    try:
        d = Decimal(v).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return d if abs(d) < Decimal(10) ** (digits - scale) else None


def _rate(v):
    return _dec(v, 8, 18)


def _ts(v):
    try:
        return datetime.strptime(v, "%Y-%m-%d %H:%M:%S") if TS_RE.match(v) else None
    except ValueError:
        return None


def _date(v):
    try:
        return datetime.strptime(v, "%Y-%m-%d").date() if DATE_RE.match(v) else None
    except ValueError:
        return None


def _cur(v):
    return v if CUR_RE.match(v) else None


@dataclass(frozen=True)
class Spec:
    columns: list[str]
    required: set[str]
    parsers: dict = field(default_factory=dict)
    key: tuple[str, ...] = ()

    def extra_rules(self, row: dict, day: date) -> tuple[str, str] | None:
        return None


class Orders(Spec):
    def extra_rules(self, row, day):
        line, qty, price = _int(row["line_number"]), _int(row["quantity"]), _dec(row["unit_price"])
        discount = _dec(row["discount_amount"]) if row["discount_amount"] else Decimal("0.00")
        for column, bad in (("line_number", line < 1), ("quantity", qty < 1), ("unit_price", price < 0),
                            ("discount_amount", discount < 0 or discount > qty * price)):
            if bad:
                return "out_of_range", column
        if _ts(row["order_ts"]).date() != day:
            return "wrong_partition", "order_ts"
        if row["currency"] not in CURRENCIES:
            return "unknown_currency", "currency"
        return None


class Products(Spec):
    def extra_rules(self, row, day):
        for column in ("unit_cost_usd", "list_price_usd"):
            if _dec(row[column]) < 0:
                return "out_of_range", column
        return None


class FxRates(Spec):
    def extra_rules(self, row, day):
        if _rate(row["usd_per_unit"]) <= 0:
            return "out_of_range", "usd_per_unit"
        if _date(row["rate_date"]) != day:
            return "wrong_partition", "rate_date"
        if row["currency"] not in CURRENCIES:
            return "unknown_currency", "currency"
        return None


ORDER_COLUMNS = ["order_id", "line_number", "order_ts", "customer_id", "store_id", "sales_person_id",
                 "product_id", "quantity", "unit_price", "discount_amount", "currency", "payment_method"]
SPECS: dict[str, Spec] = {
    "orders": Orders(
        ORDER_COLUMNS, set(ORDER_COLUMNS) - {"discount_amount", "payment_method"},
        {"line_number": _int, "order_ts": _ts, "quantity": _int, "unit_price": _dec,
         "discount_amount": _dec, "currency": _cur}, ("order_id", "line_number")),
    "customers": Spec(
        ["customer_id", "first_name", "last_name", "email", "phone", "address", "city", "state",
         "country", "joined_on", "updated_at"], {"customer_id", "updated_at"},
        {"joined_on": _date, "updated_at": _ts}, ("customer_id", "updated_at")),
    "products": Products(
        ["product_id", "product_name", "category", "unit_cost_usd", "list_price_usd", "updated_at"],
        {"product_id", "category", "unit_cost_usd", "list_price_usd", "updated_at"},
        {"unit_cost_usd": _dec, "list_price_usd": _dec, "updated_at": _ts}, ("product_id", "updated_at")),
    "stores": Spec(
        ["store_id", "store_name", "address", "city", "state", "country", "manager_name", "opened_on",
         "updated_at"], {"store_id", "updated_at"}, {"opened_on": _date, "updated_at": _ts},
        ("store_id", "updated_at")),
    "sales_team": Spec(
        ["sales_person_id", "full_name", "manager_id", "store_id", "hired_on", "updated_at"],
        {"sales_person_id", "store_id", "updated_at"}, {"hired_on": _date, "updated_at": _ts},
        ("sales_person_id", "updated_at")),
    "fx_rates": FxRates(
        ["rate_date", "currency", "usd_per_unit"], {"rate_date", "currency", "usd_per_unit"},
        {"rate_date": _date, "currency": _cur, "usd_per_unit": _rate}, ("rate_date", "currency")),
}
MALFORMED = None  # a line that is not a row of the source


def check(spec: Spec, row: dict, day: date) -> tuple[str, str] | None:
    """(reason, detail) of the first failed rule, or None."""
    for c in spec.columns:
        if c in spec.required and not row[c]:
            return "missing_value", c
    for c in spec.columns:
        if c in spec.parsers and row[c] and spec.parsers[c](row[c]) is None:
            return "bad_type", c
    return spec.extra_rules(row, day)


def _text_lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8").split("\n") if line.strip()]


def file_rows(spec: Spec, path: Path) -> list[dict | None]:
    """The data lines of one landing file: a dict of strings per row, None if malformed."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        table = pq.ParquetFile(path).read()  # the file alone: no partition columns from its folder
        if sorted(table.column_names) != sorted(spec.columns):
            return [MALFORMED] * table.num_rows
        return [{c: (v or "") for c, v in row.items()} for row in table.to_pylist()]
    data = path.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    if name.endswith(".jsonl"):
        rows = []
        for line in _text_lines(data):
            try:
                obj = json.loads(line)
            except ValueError:
                rows.append(MALFORMED)
                continue
            ok = isinstance(obj, dict) and set(obj) == set(spec.columns) and all(
                v is None or isinstance(v, str) for v in obj.values())
            rows.append({c: obj[c] or "" for c in spec.columns} if ok else MALFORMED)
        return rows
    rows = []
    for line in _text_lines(data)[1:]:
        fields = next(csv.reader([line]))
        rows.append(dict(zip(spec.columns, fields)) if len(fields) == len(spec.columns) else MALFORMED)
    return rows


def expected(source: str, landing: Path, day: date) -> tuple[dict, Counter, int]:
    """(silver rows by key, Counter of (reason, detail), duplicates) for one date folder.
    The detail of `malformed_row` is free text, so it is counted as None."""
    spec = SPECS[source]
    folder = landing / source / f"date={day.isoformat()}"
    files = sorted((p for p in folder.glob("*") if p.is_file() and not p.name.startswith((".", "_"))),
                   key=lambda p: (p.stat().st_mtime, str(p)))
    seen_hashes, silver, quarantine, duplicates = set(), {}, Counter(), 0
    for path in files:
        rows = file_rows(spec, path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen_hashes:
            duplicates += len(rows)
            continue
        seen_hashes.add(digest)
        for row in rows:
            failure = ("malformed_row", None) if row is MALFORMED else check(spec, row, day)
            if failure:
                quarantine[failure] += 1
                continue
            key = tuple(row[c] for c in spec.key)
            duplicates += key in silver
            silver[key] = row  # later file / later line wins
    return silver, quarantine, duplicates


def expected_orders(landing: Path, day: date) -> tuple[dict, Counter, int]:
    """Orders only, keyed by (order_id, line_number) with quarantine counted by reason."""
    silver, quarantine, duplicates = expected("orders", landing, day)
    by_reason = Counter()
    for (reason, _), count in quarantine.items():
        by_reason[reason] += count
    return {(k[0], int(k[1])): row for k, row in silver.items()}, by_reason, duplicates
