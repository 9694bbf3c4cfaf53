"""Hostile landing files from a seeded generator, and an independent count of their data lines.

Each case starts as a few valid order lines (CSV, CSV.gz or JSONL) and gets one to
three mutations: truncated lines, unbalanced quotes, binary garbage, header only, an
empty file, Latin-1 or UTF-16 bytes, a 1 MB field, extra and missing columns, a BOM,
CR and CRLF endings, blank lines, a repeated header, a quoted line break, 25,000
commas, duplicate JSON keys, non-object JSON, two objects on a line, a truncated gzip.

`expected_data_lines` counts a file's data lines from its bytes by the rules of
docs/robustness.md (lines end at LF, blank = only ASCII whitespace, a CSV's first
non-blank line and its repeats are headers), without any project code.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lakehouse_assets.sources import ORDERS

BOM = "\ufeff".encode()
WHITESPACE = b" \t\r\x0b\x0c"
HUGE = 1024 * 1024
COMMON = ["truncate", "unbalanced_quote", "garbage_line", "garbage_in_line", "empty", "latin1", "utf16",
          "huge_field", "extra_column", "missing_column", "bom", "crlf", "lone_cr", "blank_lines",
          "no_final_newline", "many_commas"]
CSV_ONLY = ["header_only", "repeat_header", "quoted_newline"]
JSONL_ONLY = ["duplicate_key", "not_object", "nested_value", "two_objects", "number_value"]


@dataclass
class Case:
    name: str
    data: bytes
    mutations: list[str] = field(default_factory=list)


def valid_row(rng: random.Random, day: str, case: int, line: int) -> dict[str, str]:
    return {
        "order_id": f"F{case:04d}-{line}", "line_number": str(rng.randint(1, 3)),
        "order_ts": f"{day} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
        "customer_id": f"C{rng.randint(1, 50)}", "store_id": f"S{rng.randint(1, 5)}",
        "sales_person_id": f"P{rng.randint(1, 9)}", "product_id": f"PR{rng.randint(1, 30)}",
        "quantity": str(rng.randint(1, 5)), "unit_price": f"{rng.uniform(1, 99):.2f}",
        "discount_amount": rng.choice(["", "0.00", "1.00"]), "currency": rng.choice(["USD", "EUR", "GBP"]),
        "payment_method": rng.choice(["card", "cash", ""]),
    }


def csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


class _Draft:
    """A file being mutated: its text lines, and how they will become bytes."""

    def __init__(self, fmt: str, columns: list[str], rows: list[dict]):
        self.fmt, self.columns, self.rows = fmt, columns, rows
        self.encoding, self.bom, self.newline, self.final_newline = "utf-8", False, "\n", True
        self.empty = False
        self.lines: list[str | bytes] = []

    def render_lines(self) -> None:
        if self.fmt == "jsonl":
            self.lines = [json.dumps({c: r.get(c) for c in self.columns}) for r in self.rows]
        else:
            self.lines = [csv_line(self.columns)] + [csv_line([r.get(c, "") for c in self.columns]) for r in self.rows]

    def data_index(self, rng: random.Random) -> int | None:
        first = 1 if self.fmt != "jsonl" else 0
        return rng.randrange(first, len(self.lines)) if len(self.lines) > first else None

    def to_bytes(self) -> bytes:
        if self.empty:
            return b""
        newline = self.newline.encode()
        if self.encoding == "utf-16":
            text = self.newline.join(x if isinstance(x, str) else x.decode("latin-1") for x in self.lines)
            return (text + (self.newline if self.final_newline else "")).encode("utf-16")
        parts = [x if isinstance(x, bytes) else x.encode(self.encoding, errors="replace") for x in self.lines]
        data = newline.join(parts) + (newline if self.final_newline else b"")
        return (BOM if self.bom else b"") + data


def _garbage(rng: random.Random, size: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(size))


def _mutate_content(draft: _Draft, mutation: str, rng: random.Random) -> None:
    """Mutations of the columns and values, made before the lines are written out."""
    if mutation == "extra_column":
        draft.columns.insert(rng.randrange(len(draft.columns) + 1), rng.choice(["loyalty_tier", "channel", "x"]))
        for row in draft.rows:
            row.update({c: rng.choice(["gold", "web", "1"]) for c in draft.columns if c not in row})
    elif mutation == "missing_column":
        draft.columns.remove(rng.choice(draft.columns))
    elif mutation == "huge_field" and draft.rows:
        filler = "".join(rng.choice("abcdefgh ,") for _ in range(64)) * (HUGE // 64)
        rng.choice(draft.rows)[rng.choice(["payment_method", "customer_id"])] = filler
    elif mutation in ("empty", "header_only"):
        draft.rows.clear()
        draft.empty = mutation == "empty"
    elif mutation == "latin1":
        draft.encoding = "latin-1"
        for row in draft.rows[:2]:
            row["customer_id"] = row["customer_id"] + rng.choice(["é", "ß", "ü"])


def _mutate_bytes(draft: _Draft, mutation: str) -> None:
    """Mutations of how the lines become bytes."""
    if mutation == "utf16":
        draft.encoding = "utf-16"
    elif mutation == "bom":
        draft.bom = True
    elif mutation == "crlf":
        draft.newline = "\r\n"
    elif mutation == "no_final_newline":
        draft.final_newline = False


CONTENT = {"extra_column", "missing_column", "huge_field", "empty", "header_only", "latin1"}
BYTES = {"utf16", "bom", "crlf", "no_final_newline"}


def _mutate_lines(draft: _Draft, mutation: str, rng: random.Random, index: int | None) -> None:
    lines = draft.lines
    if mutation == "blank_lines":
        for _ in range(rng.randint(1, 3)):
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", "   ", "\t", " \r"]))
    elif mutation == "garbage_line":
        lines.insert(rng.randrange(len(lines) + 1), _garbage(rng, rng.randint(1, 300)))
    elif mutation == "repeat_header" and draft.fmt != "jsonl":
        lines.insert(rng.randrange(1, len(lines) + 1), lines[0])
    elif mutation == "many_commas":
        lines.insert(rng.randrange(len(lines) + 1), "x" + "," * 25_000)
    elif mutation == "not_object":
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(["[1, 2]", '"text"', "null", "42", "{"]))
    elif index is None or not isinstance(lines[index], str):
        return
    elif mutation == "truncate":
        lines[index] = lines[index][: rng.randrange(max(len(lines[index]), 1))]
    elif mutation == "unbalanced_quote":
        at = rng.randrange(len(lines[index]) + 1)
        lines[index] = lines[index][:at] + '"' + lines[index][at:]
    elif mutation == "garbage_in_line":
        at = rng.randrange(len(lines[index]) + 1)
        text = lines[index].encode()
        lines[index] = text[:at] + _garbage(rng, rng.randint(1, 40)) + text[at:]
    elif mutation == "lone_cr":
        at = rng.randrange(len(lines[index]) + 1)
        lines[index] = lines[index][:at] + "\r" + lines[index][at:]
    elif mutation == "quoted_newline":
        lines[index] = lines[index] + ',"two\nlines"'
    elif mutation == "duplicate_key":
        lines[index] = lines[index][:-1] + ', "order_id": "again"}'
    elif mutation == "nested_value":
        lines[index] = lines[index][:-1] + ', "meta": {"a": [1, 2]}}'
    elif mutation == "two_objects":
        lines[index] = lines[index] + lines[index]
    elif mutation == "number_value":
        lines[index] = (lines[index].replace('"quantity": "', '"quantity": ')
                        .replace('", "unit_price"', ', "unit_price"', 1))


def make_case(rng: random.Random, number: int, day: str) -> Case:
    fmt = rng.choice(["csv", "csv", "csv.gz", "jsonl", "jsonl"])
    rows = [valid_row(rng, day, number, i) for i in range(rng.randint(0, 6))]
    draft = _Draft("jsonl" if fmt == "jsonl" else "csv", list(ORDERS.columns), rows)
    choices = COMMON + (JSONL_ONLY if fmt == "jsonl" else CSV_ONLY)
    weights = [0.2 if m in ("huge_field", "empty", "utf16") else 1.0 for m in choices]
    mutations = rng.choices(choices, weights=weights, k=rng.randint(1, 3))
    for mutation in (m for m in mutations if m in CONTENT):
        _mutate_content(draft, mutation, rng)
    draft.render_lines()
    for mutation in mutations:
        if mutation in BYTES:
            _mutate_bytes(draft, mutation)
        elif mutation not in CONTENT:
            _mutate_lines(draft, mutation, rng, draft.data_index(rng))
    data = draft.to_bytes()
    if fmt == "csv.gz":
        data = gzip.compress(data, mtime=0)
        if rng.random() < 0.1:
            data, mutations = data[: rng.randrange(10, max(len(data) - 4, 11))], mutations + ["truncated_gzip"]
    return Case(f"case{number:04d}.{fmt}", data, mutations)


def make_cases(seed: int, count: int, day: str) -> list[Case]:
    rng = random.Random(seed)
    return [make_case(rng, number, day) for number in range(count)]


def write_cases(cases: list[Case], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases:
        (folder / case.name).write_bytes(case.data)


def expected_data_lines(data: bytes, name: str) -> int | None:
    """Data lines of a file, counted from its bytes; None when the bytes cannot be read (bad gzip)."""
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error):
            return None
    lines = [line[:-1] if line.endswith(b"\r") else line for line in data.split(b"\n")]
    nonblank = [line for line in lines if line.strip(WHITESPACE)]
    if ".csv" not in name or not nonblank:
        return len(nonblank)
    header = nonblank[0].removeprefix(BOM)
    return sum(1 for line in nonblank if line.removeprefix(BOM) != header)
