"""An independent, plain-Python reading of SPEC §3 for orders, to check the Spark
pipeline against: it shares no code with the package beyond the column list."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

CURRENCIES = {"USD", "EUR", "GBP", "INR", "JPY", "CAD", "AUD"}
COLUMNS = ["order_id", "line_number", "order_ts", "customer_id", "store_id", "sales_person_id",
           "product_id", "quantity", "unit_price", "discount_amount", "currency", "payment_method"]
OPTIONAL = {"discount_amount", "payment_method"}
INT_RE = re.compile(r"^[+-]?\d+$")
DEC_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
CUR_RE = re.compile(r"^[A-Z]{3}$")
INT_MAX = 2**31 - 1


def _int(v):
    return int(v) if INT_RE.match(v) and abs(int(v)) <= INT_MAX else None


def _dec(v):
    if not DEC_RE.match(v):
        return None
    try:
        d = Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return d if abs(d) < Decimal(10) ** 12 else None


def _ts(v):
    if not TS_RE.match(v):
        return None
    try:
        return datetime.strptime(v, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def check(row: dict, day: date) -> tuple[str, str] | None:
    """(reason, detail) of the first failed rule, or None."""
    for c in COLUMNS:
        if c not in OPTIONAL and not row[c]:
            return "missing_value", c
    parsers = {"line_number": _int, "order_ts": _ts, "quantity": _int, "unit_price": _dec,
               "discount_amount": _dec, "currency": lambda v: v if CUR_RE.match(v) else None}
    for c in COLUMNS:
        if c in parsers and row[c] and parsers[c](row[c]) is None:
            return "bad_type", c
    line, qty, price = _int(row["line_number"]), _int(row["quantity"]), _dec(row["unit_price"])
    discount = _dec(row["discount_amount"]) if row["discount_amount"] else Decimal("0.00")
    if line < 1:
        return "out_of_range", "line_number"
    if qty < 1:
        return "out_of_range", "quantity"
    if price < 0:
        return "out_of_range", "unit_price"
    if discount < 0 or discount > qty * price:
        return "out_of_range", "discount_amount"
    if _ts(row["order_ts"]).date() != day:
        return "wrong_partition", "order_ts"
    if row["currency"] not in CURRENCIES:
        return "unknown_currency", "currency"
    return None


def expected_orders(landing: Path, day: date) -> tuple[dict, Counter, int]:
    """(silver rows by key, quarantine Counter of reasons, duplicates) for one date folder."""
    folder = landing / "orders" / f"date={day.isoformat()}"
    files = sorted(folder.glob("*.csv"), key=lambda p: (p.stat().st_mtime, str(p)))
    seen_hashes, silver, quarantine, duplicates = set(), {}, Counter(), 0
    for path in files:
        data = path.read_bytes()
        lines = [l for l in data.decode("utf-8").splitlines()[1:] if l.strip()]
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen_hashes:
            duplicates += len(lines)
            continue
        seen_hashes.add(digest)
        for text in lines:
            fields = next(csv.reader([text]))
            if len(fields) != len(COLUMNS):
                quarantine["malformed_row"] += 1
                continue
            row = dict(zip(COLUMNS, fields))
            failure = check(row, day)
            if failure:
                quarantine[failure[0]] += 1
                continue
            key = (row["order_id"], int(row["line_number"]))
            duplicates += key in silver
            silver[key] = row  # later file / later line wins
    return silver, quarantine, duplicates
