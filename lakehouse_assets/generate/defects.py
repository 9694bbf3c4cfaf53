"""Defect injection: one function per defect kind of SPEC §3, plus duplicates.

A defective row fails exactly the rule it is meant to fail and no earlier rule in
§3's order (malformed_row, missing_value, bad_type, out_of_range, wrong_partition,
unknown_currency): e.g. a wrong_partition row still has the right field count,
all required values, valid types and in-range values. Rows are lists of landing
text in the source's column order; a malformed row may have a different length,
and `Truncated` asks the JSONL writer to cut the line mid-object.

Which rows get which kind is planned by `plan_defects` from a dedicated RNG, so
the clean data of a day is the same whatever the defect rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from lakehouse_assets.generate import names
from lakehouse_assets.generate.common import FAKE_CURRENCIES, fmt_cents, to_cents
from lakehouse_assets.sources import ColumnType, Source

REASONS = ("malformed_row", "missing_value", "bad_type", "out_of_range", "wrong_partition", "unknown_currency")
DUPLICATE = "duplicate"                  # an exact copy of an earlier line
DUPLICATE_CHANGED = "duplicate_changed"  # same key as an earlier line, one value differs
PAYMENT_METHODS = ("card", "cash", "mobile", "gift_card")

# Values that no parser of the type accepts (nothing a lenient cast would still read).
BAD_VALUES = {
    ColumnType.INTEGER: ("abc", "3x", "two", "#"),
    ColumnType.DECIMAL: ("12,5x", "abc", "1.2.3", "N/A"),
    ColumnType.DATE: ("2024-13-45", "tomorrow", "31/12/2024"),
    ColumnType.TIMESTAMP: ("2024-13-45 10:00:00", "2024-01-01 25:61:00", "yesterday", "01/02/2024 10:00"),
    ColumnType.CURRENCY: ("usd", "EURO", "eu", "U$D"),
}

Row = list


@dataclass(frozen=True)
class Truncated:
    """A JSONL record to be written as only the first half of its JSON text."""

    row: Row


@dataclass
class DefectContext:
    """What a defect function may use: the source contract, file format, folder date, RNG."""

    source: Source
    fmt: str
    day: date
    rng: np.random.Generator
    typed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._pos = {c: i for i, c in enumerate(self.source.columns)}
        self.typed = tuple(c for c in self.source.columns if self.source.type_of(c) != ColumnType.STRING)

    def col(self, name: str) -> int:
        return self._pos[name]

    def randint(self, low: int, high: int) -> int:
        """An integer in [low, high)."""
        return low + int(self.rng.random() * (high - low))

    def choice(self, options: tuple | list):
        """One element, uniformly (`random()` is several times cheaper than `integers()`)."""
        return options[int(self.rng.random() * len(options))]


def applicable_kinds(source: Source, fmt: str) -> tuple[str, ...]:
    """The defect kinds that can occur in `source` written as `fmt`, in §3 order, then duplicates."""
    typed = any(source.type_of(c) != ColumnType.STRING for c in source.columns)
    checks = {
        "malformed_row": fmt != "parquet",  # a Parquet file always has its columns
        "missing_value": bool(source.required),
        "bad_type": typed,
        "out_of_range": source.name in OUT_OF_RANGE,
        "wrong_partition": source.partition_column is not None,
        "unknown_currency": source.currency_column is not None,
    }
    return tuple(k for k in REASONS if checks[k]) + (DUPLICATE, DUPLICATE_CHANGED)


def malformed_row(row: Row, ctx: DefectContext) -> Row | Truncated:
    """Too many or too few fields (JSONL: an extra or missing key, or a cut-off line)."""
    options = ("too_many", "too_few", "truncated") if ctx.fmt == "jsonl" else ("too_many", "too_few")
    kind = ctx.choice(options)
    if kind == "too_many":
        return list(row) + ["extra"]
    if kind == "too_few":
        return list(row[:-1])
    return Truncated(list(row))


def missing_value(row: Row, ctx: DefectContext) -> Row:
    """A required column empty (JSONL/Parquet: empty string or null)."""
    new = list(row)
    empty = None if ctx.fmt in ("jsonl", "parquet") and ctx.rng.random() < 0.5 else ""
    new[ctx.col(ctx.choice(ctx.source.required))] = empty
    return new


def bad_type(row: Row, ctx: DefectContext) -> Row:
    """A typed column holding text its type cannot parse (`abc`, `2024-13-45`, `12,5x`, `usd`)."""
    column = ctx.choice(ctx.typed)
    new = list(row)
    new[ctx.col(column)] = ctx.choice(BAD_VALUES[ctx.source.type_of(column)])
    return new


def _orders_out_of_range(new: Row, ctx: DefectContext) -> None:
    """One orders range rule broken: line_number, quantity, unit_price or discount bounds."""
    line_total = int(new[ctx.col("quantity")]) * to_cents(new[ctx.col("unit_price")])
    rule = ctx.choice(("line_number", "quantity", "unit_price", "discount_negative", "discount_too_big"))
    if rule == "line_number":
        new[ctx.col("line_number")] = ctx.choice(("0", "-1"))
    elif rule == "quantity":  # 0 (not negative) with no discount breaks only the quantity rule
        new[ctx.col("quantity")] = "0"
        new[ctx.col("discount_amount")] = "0.00"
    elif rule == "unit_price":
        new[ctx.col("unit_price")] = fmt_cents(-to_cents(new[ctx.col("unit_price")]))
    elif rule == "discount_negative":
        new[ctx.col("discount_amount")] = fmt_cents(-ctx.randint(1, 500))
    else:
        new[ctx.col("discount_amount")] = fmt_cents(line_total + ctx.randint(1, 1000))


def _products_out_of_range(new: Row, ctx: DefectContext) -> None:
    """A negative cost or list price."""
    column = ctx.choice(("unit_cost_usd", "list_price_usd"))
    new[ctx.col(column)] = fmt_cents(-max(to_cents(new[ctx.col(column)]), 1))


def _fx_out_of_range(new: Row, ctx: DefectContext) -> None:
    """A rate of zero or below."""
    value = new[ctx.col("usd_per_unit")]
    new[ctx.col("usd_per_unit")] = ctx.choice(("0.00000000", "0", f"-{value}"))


OUT_OF_RANGE: dict[str, Callable[[Row, DefectContext], None]] = {
    "orders": _orders_out_of_range, "products": _products_out_of_range, "fx_rates": _fx_out_of_range,
}


def out_of_range(row: Row, ctx: DefectContext) -> Row:
    """A well-typed value outside its allowed range (each rule of §3's table)."""
    new = list(row)
    OUT_OF_RANGE[ctx.source.name](new, ctx)
    return new


def wrong_partition(row: Row, ctx: DefectContext) -> Row:
    """The partition column (order_ts / rate_date) on a date 1-3 days off the folder date."""
    column = str(ctx.source.partition_column)
    shift = ctx.randint(1, 4) * ctx.choice((-1, 1))
    new = list(row)
    value = str(new[ctx.col(column)])
    new[ctx.col(column)] = (ctx.day + timedelta(days=shift)).isoformat() + value[10:]
    return new


def unknown_currency(row: Row, ctx: DefectContext) -> Row:
    """A well-formed currency code (`XYZ`) that is not in the configured list."""
    new = list(row)
    new[ctx.col(str(ctx.source.currency_column))] = ctx.choice(FAKE_CURRENCIES)
    return new


def duplicate_changed(row: Row, ctx: DefectContext) -> Row:
    """The same key as `row` with one valid, different non-key value (a correction)."""
    name = ctx.source.name
    column, fresh = {
        "orders": ("payment_method", lambda: ctx.choice(PAYMENT_METHODS)),
        "fx_rates": ("usd_per_unit",
                     lambda: f"{float(row[2]) * (1 + ctx.choice((-1, 1)) * 0.001):.8f}"),
        "customers": ("address", lambda: names.street_address(ctx.rng)),
        "products": ("product_name", lambda: f"{ctx.choice(names.ADJECTIVES)} {row[1]}"),
        "stores": ("manager_name", lambda: " ".join(names.person_name(ctx.rng))),
        "sales_team": ("full_name", lambda: " ".join(names.person_name(ctx.rng))),
    }[name]
    new = list(row)
    while new[ctx.col(column)] == row[ctx.col(column)]:
        new[ctx.col(column)] = fresh()
    return new


DEFECTS: dict[str, Callable[[Row, DefectContext], Row | Truncated]] = {
    "malformed_row": malformed_row, "missing_value": missing_value, "bad_type": bad_type,
    "out_of_range": out_of_range, "wrong_partition": wrong_partition,
    "unknown_currency": unknown_currency,
}


def plan_defects(n_rows: int, kinds: tuple[str, ...], rate: float,
                 rng: np.random.Generator, offset: int) -> dict[str, np.ndarray]:
    """Disjoint sorted row indices per kind: about `rate` of `n_rows`, kinds taken in turn.

    The turn starts at `offset` (e.g. the day number), so over consecutive days every
    kind appears even in sources with only a handful of rows a day.
    """
    if rate <= 0 or n_rows == 0:
        return {}
    count = min(n_rows, int(np.floor(rate * n_rows + rng.random())))
    picks = rng.choice(n_rows, size=count, replace=False)
    assigned = (offset + np.arange(count)) % len(kinds)
    return {kind: np.sort(picks[assigned == k]) for k, kind in enumerate(kinds) if np.any(assigned == k)}


def insertion_order(n_rows: int, dup_sources: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Positions for `n_rows` rows plus one extra row per `dup_sources` entry, each later than its source.

    Returns indices into `rows + extras` (extras numbered from `n_rows`).
    """
    dup_sources = np.asarray(dup_sources, dtype=np.int64)
    positions = rng.integers(dup_sources + 1, n_rows + 1) if len(dup_sources) else dup_sources
    extras = np.arange(n_rows, n_rows + len(dup_sources), dtype=np.int64)
    return np.insert(np.arange(n_rows, dtype=np.int64), positions, extras)


def apply_defects(rows: list[Row], source: Source, fmt: str, day: date, rate: float,
                  rng: np.random.Generator, offset: int, additive: bool = False) -> tuple[list, dict[str, int]]:
    """Defective copy of a small file's rows (master data, fx) and the count per kind.

    A planned row is replaced by its defective version, or, with `additive`, keeps
    its clean line and the defective version is an extra line placed later (like a
    duplicate), so no valid row is lost (fx rates: every currency keeps its rate).
    """
    plan = plan_defects(len(rows), applicable_kinds(source, fmt), rate, rng, offset)
    ctx = DefectContext(source, fmt, day, rng)
    out: list = list(rows)
    none = np.empty(0, dtype=np.int64)
    broken, broken_at = [], []
    for kind in REASONS:
        for i in plan.get(kind, ()):
            if additive:
                broken.append(DEFECTS[kind](rows[i], ctx))
                broken_at.append(int(i))
            else:
                out[i] = DEFECTS[kind](rows[i], ctx)
    exact = plan.get(DUPLICATE, none)
    changed = plan.get(DUPLICATE_CHANGED, none)
    extras = broken + [list(rows[i]) for i in exact] + [duplicate_changed(rows[i], ctx) for i in changed]
    sources = np.concatenate([np.array(broken_at, dtype=np.int64), exact, changed])
    order = insertion_order(len(rows), sources, rng)
    combined = out + extras
    return [combined[j] for j in order], {kind: len(idx) for kind, idx in plan.items()}
