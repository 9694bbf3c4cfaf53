"""The fast orders writer: order lines built column-wise with numpy + Arrow compute.

Per-row Python formatting manages a few MB/s; here every column is a numpy array
turned into an Arrow string array by lookup tables (`take`) and C++ casts, the
columns are joined into CSV lines in one `binary_join_element_wise`, and the
lines' contiguous data buffer is written as is. A day is cut into chunks of about
`CHUNK_ROWS` lines on order boundaries; each chunk has its own RNG (seed, day,
chunk), so output is identical however chunks are scheduled. Only the rows picked
for defects go through per-row Python (`defects.py`), shared with the small files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse_assets.generate.common import BASE_USD_PER_UNIT, rng_for
from lakehouse_assets.generate.defects import (
    DEFECTS,
    DUPLICATE,
    DUPLICATE_CHANGED,
    REASONS,
    DefectContext,
    applicable_kinds,
    duplicate_changed,
    insertion_order,
    plan_defects,
)
from lakehouse_assets.generate.master import MasterPools
from lakehouse_assets.generate.writers import csv_line
from lakehouse_assets.sources import DEFAULT_CURRENCIES, ORDERS

CHUNK_ROWS = 500_000
LINES_PER_ORDER_P = np.array([0.40, 0.25, 0.15, 0.12, 0.08])        # 1..5 lines
QUANTITY_P = np.array([0.45, 0.22, 0.12, 0.07, 0.05, 0.03, 0.02, 0.02, 0.01, 0.01])  # 1..10
PAYMENT_P = np.array([0.55, 0.20, 0.15, 0.05, 0.05])                  # ..., empty
PAYMENTS = ("card", "cash", "mobile", "gift_card", None)
DISCOUNT_PCT = np.array([5, 10, 15, 20, 25])
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 10, 11, 10, 9, 9, 10, 11, 12, 11, 9, 6, 3, 2], float)
UNKNOWN_SHARE = 0.005   # references to customers / products that do not exist
UNKNOWN_IDS = 1000
HOME_STORE_SHARE = 0.9  # orders served by a sales person of the order's store


@dataclass(frozen=True)
class OrdersContext:
    """Lookup tables from the master pools, shared by every chunk of every day."""

    customer_ids: pa.Array   # known ids, then UNKNOWN_IDS ids that are in no pool
    n_customers: int
    product_ids: pa.Array
    n_products: int
    store_ids: pa.Array
    store_weight: np.ndarray
    store_currency: np.ndarray   # index into DEFAULT_CURRENCIES per store
    sales_ids: pa.Array
    team_start: np.ndarray
    team_size: np.ndarray
    team_members: np.ndarray
    price_cents: np.ndarray  # (products, currencies) unit price in that currency, cents
    price_text: pa.Array     # the same, formatted, flattened row-major


def local_price_cents(list_usd_cents: np.ndarray, currency: str) -> np.ndarray:
    """Shelf price in `currency`: converted, then x.99 (or whole tens for INR/JPY)."""
    if currency == "USD":
        return list_usd_cents.copy()
    units = list_usd_cents / 100.0 / BASE_USD_PER_UNIT[currency]
    if currency in ("INR", "JPY"):
        return (np.maximum(np.round(units / 10.0), 1) * 1000).astype(np.int64)
    return (np.ceil(units) * 100 - 1).astype(np.int64)


def build_context(pools: MasterPools) -> OrdersContext:
    """Precompute the id and price tables the chunk generator takes values from."""
    n_c, n_p = len(pools.customers.rows), len(pools.products.rows)
    unknown = np.arange(UNKNOWN_IDS)
    customer_ids = [r[0] for r in pools.customers.rows] + [f"C9{i:06d}" for i in unknown]
    product_ids = [r[0] for r in pools.products.rows] + [f"P9{i:05d}" for i in unknown]
    prices = np.stack([local_price_cents(pools.product_list_cents, c) for c in DEFAULT_CURRENCIES], axis=1)
    sizes = np.array([len(t) for t in pools.team_of_store], dtype=np.int64)
    return OrdersContext(
        customer_ids=pa.array(customer_ids, pa.string()), n_customers=n_c,
        product_ids=pa.array(product_ids, pa.string()), n_products=n_p,
        store_ids=pa.array([r[0] for r in pools.stores.rows], pa.string()),
        store_weight=pools.store_weight,
        store_currency=np.array([DEFAULT_CURRENCIES.index(c) for c in pools.store_currency]),
        sales_ids=pa.array([r[0] for r in pools.sales_team.rows], pa.string()),
        team_start=np.concatenate([[0], np.cumsum(sizes)[:-1]]), team_size=sizes,
        team_members=np.concatenate(pools.team_of_store),
        price_cents=prices, price_text=cents_text(prices.ravel()),
    )


@lru_cache(maxsize=1)
def _two_digits() -> pa.Array:
    return pa.array([f"{i:02d}" for i in range(100)], pa.string())


@lru_cache(maxsize=1)
def _clock() -> pa.Array:
    """`HH:MM:SS` for every second of a day."""
    return pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)], pa.string())


def cents_text(cents: np.ndarray) -> pa.Array:
    """Non-negative integer cents as `123.45` strings, vectorised."""
    cents = np.asarray(cents, dtype=np.int64)
    whole = pc.cast(pa.array(cents // 100), pa.string())
    return pc.binary_join_element_wise(whole, pc.take(_two_digits(), pa.array(cents % 100)), ".")


def day_plan(seed: int, day: date, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(lines per order, order second of day, ascending) with exactly `n_rows` lines."""
    rng = rng_for(seed, "orders", day, "plan")
    size = int(n_rows / 2.23) + 16
    k = rng.choice(np.arange(1, 6), size=size, p=LINES_PER_ORDER_P)
    while k.sum() < n_rows:
        k = np.concatenate([k, rng.choice(np.arange(1, 6), size=size, p=LINES_PER_ORDER_P)])
    total = np.cumsum(k)
    m = int(np.searchsorted(total, n_rows)) + 1
    k = k[:m].astype(np.int8)  # small dtypes: a 10 GB day has ~50M orders
    k[-1] -= int(total[m - 1]) - n_rows
    hours = rng.choice(24, size=m, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    return k, np.sort(hours * 3600 + rng.integers(0, 3600, size=m)).astype(np.int32)


def chunk_bounds(k: np.ndarray, chunk_rows: int | None = None) -> list[tuple[int, int]]:
    """Order index ranges [start, end) of about `chunk_rows` (default CHUNK_ROWS) lines each."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    total = np.cumsum(k)
    cuts = np.searchsorted(total, np.arange(chunk_rows, int(total[-1]), chunk_rows), side="left") + 1
    edges = [0] + [int(c) for c in np.unique(cuts) if 0 < c < len(k)] + [len(k)]
    return list(zip(edges[:-1], edges[1:]))


def _order_columns(ctx: OrdersContext, rng: np.random.Generator, m: int) -> dict[str, np.ndarray]:
    """Order-level draws: store, customer, sales person, payment method."""
    store = rng.choice(len(ctx.store_weight), size=m, p=ctx.store_weight)
    customer = (ctx.n_customers * rng.random(m) ** 2).astype(np.int64)
    unknown = rng.random(m) < UNKNOWN_SHARE
    customer[unknown] = ctx.n_customers + rng.integers(0, UNKNOWN_IDS, size=int(unknown.sum()))
    in_team = (rng.random(m) * ctx.team_size[store]).astype(np.int64)
    sales = ctx.team_members[ctx.team_start[store] + in_team]
    away = rng.random(m) >= HOME_STORE_SHARE
    sales[away] = rng.integers(0, len(ctx.sales_ids), size=int(away.sum()))
    payment = rng.choice(len(PAYMENTS), size=m, p=PAYMENT_P)
    return {"store": store, "customer": customer, "sales": sales, "payment": payment}


def orders_chunk(ctx: OrdersContext, seed: int, day: date, chunk: int,
                 first_order: int, k: np.ndarray, secs: np.ndarray) -> dict[str, pa.Array]:
    """The 12 orders columns (Arrow strings, None = empty) for orders `first_order`.. of a day."""
    rng = rng_for(seed, "orders", day, "chunk", chunk)
    m, n = len(k), int(k.sum())
    order_of_row = pa.array(np.repeat(np.arange(m), k))
    line_number = np.arange(n) - np.repeat(np.cumsum(k) - k, k) + 1
    o = _order_columns(ctx, rng, m)
    product = (ctx.n_products * rng.random(n) ** 1.7).astype(np.int64)
    priced = product.copy()
    unknown = rng.random(n) < UNKNOWN_SHARE
    product[unknown] = ctx.n_products + rng.integers(0, UNKNOWN_IDS, size=int(unknown.sum()))
    quantity = rng.choice(10, size=n, p=QUANTITY_P) + 1
    currency = ctx.store_currency[o["store"]][np.repeat(np.arange(m), k)]
    price_at = priced * len(DEFAULT_CURRENCIES) + currency
    u = rng.random(n)
    discount = np.where(
        u >= 0.8, quantity * ctx.price_cents.ravel()[price_at] * rng.choice(DISCOUNT_PCT, size=n) // 100, 0)
    order_ids = pc.binary_join_element_wise(
        f"O{day:%Y%m%d}-",
        pc.utf8_lpad(pc.cast(pa.array(np.arange(first_order, first_order + m) + 1), pa.string()), 7, "0"), "")
    timestamps = pc.binary_join_element_wise(f"{day.isoformat()} ", pc.take(_clock(), pa.array(secs)), "")
    discount_text = pc.if_else(pa.array((u >= 0.7) & (u < 0.8)), pa.scalar(None, pa.string()), cents_text(discount))
    small = pa.array([str(i) for i in range(11)], pa.string())
    return {
        "order_id": pc.take(order_ids, order_of_row),
        "line_number": pc.take(small, pa.array(line_number)),
        "order_ts": pc.take(timestamps, order_of_row),
        "customer_id": pc.take(pc.take(ctx.customer_ids, pa.array(o["customer"])), order_of_row),
        "store_id": pc.take(pc.take(ctx.store_ids, pa.array(o["store"])), order_of_row),
        "sales_person_id": pc.take(pc.take(ctx.sales_ids, pa.array(o["sales"])), order_of_row),
        "product_id": pc.take(ctx.product_ids, pa.array(product)),
        "quantity": pc.take(small, pa.array(quantity)),
        "unit_price": pc.take(ctx.price_text, pa.array(price_at)),
        "discount_amount": discount_text,
        "currency": pc.take(pa.array(DEFAULT_CURRENCIES, pa.string()), pa.array(currency)),
        "payment_method": pc.take(pc.take(pa.array(PAYMENTS, pa.string()), pa.array(o["payment"])), order_of_row),
    }


def join_lines(columns: dict[str, pa.Array]) -> pa.Array:
    """CSV lines (`\\n`-terminated) from the columns; nulls become empty fields."""
    joined = pc.binary_join_element_wise(*(columns[c] for c in ORDERS.columns), ",",
                                         null_handling="replace", null_replacement="")
    return pc.binary_join_element_wise(joined, "\n", "")


def _rows_at(lines: pa.Array, idx: np.ndarray) -> list[list[str]]:
    """The field values of clean lines `idx` (they never need quoting, so split on commas)."""
    return [line[:-1].split(",") for line in pc.take(lines, pa.array(idx)).to_pylist()]


def inject_defects(columns: dict[str, pa.Array], lines: pa.Array, day: date, rate: float,
                   rng: np.random.Generator, offset: int) -> tuple[pa.Array, dict[str, int]]:
    """Replace the planned rows by defective lines and insert duplicate lines later on."""
    plan = plan_defects(len(lines), applicable_kinds(ORDERS, "csv"), rate, rng, offset)
    if not plan:
        return lines, {}
    ctx = DefectContext(ORDERS, "csv", day, rng)
    none = np.empty(0, dtype=np.int64)
    mutated = np.sort(np.concatenate([plan.get(k, none) for k in REASONS]))
    if len(mutated):
        kind_of = {int(i): k for k in REASONS for i in plan.get(k, none)}
        rows = _rows_at(lines, mutated)
        new = [csv_line(DEFECTS[kind_of[int(i)]](row, ctx)) for i, row in zip(mutated, rows)]
        mask = np.zeros(len(lines), dtype=bool)
        mask[mutated] = True
        lines = pc.replace_with_mask(lines, pa.array(mask), pa.array(new, pa.string()))
    exact, changed = plan.get(DUPLICATE, none), plan.get(DUPLICATE_CHANGED, none)
    corrected = [csv_line(duplicate_changed(r, ctx)) for r in _rows_at(lines, changed)] if len(changed) else []
    extra = pa.concat_arrays([lines, pc.take(lines, pa.array(exact)), pa.array(corrected, pa.string())])
    order = insertion_order(len(lines), np.concatenate([exact, changed]), rng)
    return pc.take(extra, pa.array(order)), {k: len(v) for k, v in plan.items()}


def text_buffer(lines: pa.Array) -> memoryview:
    """The bytes of all strings of `lines`, back to back (zero-copy)."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]
