"""`generate(...)`: synthetic landing files for every source and day of a date range.

Layout: `{landing_root}/{source}/date={YYYY-MM-DD}/{file}`. Per day it writes the
master-data extracts (a full snapshot on the first day of the range, change
extracts after), the fx rates (every currency on the first day, so each order
has a rate to look back to; see `fx.py`) and the orders. Output depends only on
the arguments: every (source, day[, chunk]) draws from its own RNG of the seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from lakehouse_assets.generate import orders as orders_mod
from lakehouse_assets.generate.changes import MASTER_SOURCES, daily_extract
from lakehouse_assets.generate.common import rng_for
from lakehouse_assets.generate.defects import apply_defects
from lakehouse_assets.generate.fx import fx_rows
from lakehouse_assets.generate.master import MasterPools, build_pools
from lakehouse_assets.generate.progress import Progress
from lakehouse_assets.generate.summary import GenerateSummary
from lakehouse_assets.generate.writers import LandingZone, csv_line, write_rows
from lakehouse_assets.sources import ORDERS, SOURCES

FORMATS = {"orders": "csv", "customers": "jsonl", "products": "parquet",
           "stores": "csv", "sales_team": "csv.gz", "fx_rates": "csv"}
DEFAULT_ROWS_PER_DAY = 10_000
BYTES_PER_GB = 1_000_000_000  # decimal gigabytes, like the throughput figures
WORKERS = 2  # orders chunks built ahead on threads (numpy / Arrow release the GIL)


class GenerateError(ValueError):
    """An argument `generate` cannot work with: `argument` names it, the message says why."""

    def __init__(self, argument: str, problem: str):
        super().__init__(f"{argument} {problem}")
        self.argument = argument
        self.problem = problem


def validate(start: object, days: object, rows_per_day: int | None, gb_per_day: float | None,
             seed: object, defects: object, landing_root: object) -> None:
    """Raise `GenerateError` with a one-line reason for any unusable argument."""
    def number(x: object) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    def whole(x: object) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    if not isinstance(start, date):
        raise GenerateError("start", f"must be a date, got {start!r}")
    if not whole(days) or days < 1:  # type: ignore[operator]
        raise GenerateError("days", f"must be a whole number >= 1, got {days!r}")
    if rows_per_day is not None and gb_per_day is not None:
        raise GenerateError("rows_per_day", "and gb_per_day exclude each other: give one of them")
    if rows_per_day is not None and (not whole(rows_per_day) or rows_per_day < 1):
        raise GenerateError("rows_per_day", f"must be a whole number >= 1, got {rows_per_day!r}")
    if gb_per_day is not None and (not number(gb_per_day) or gb_per_day <= 0):
        raise GenerateError("gb_per_day", f"must be a number > 0, got {gb_per_day!r}")
    if not whole(seed) or seed < 0:  # type: ignore[operator]
        raise GenerateError("seed", f"must be a whole number >= 0, got {seed!r}")
    if not number(defects) or not 0 <= defects <= 1:  # type: ignore[operator]
        raise GenerateError("defects", f"must be a rate between 0 and 1, got {defects!r}")
    if not isinstance(landing_root, str) or not landing_root.strip():
        raise GenerateError("landing_root", "must be a local path or an s3://bucket/prefix URI")


def estimate_rows(seed: int, start: date, gb_per_day: float, sample: int = 20_000) -> int:
    """Order lines per day that make about `gb_per_day` of orders CSV (measured on a sample)."""
    ctx = orders_mod.build_context(build_pools(seed, start, DEFAULT_ROWS_PER_DAY))
    k, secs = orders_mod.day_plan(seed, start, sample)
    lines = orders_mod.join_lines(orders_mod.orders_chunk(ctx, seed, start, 0, 0, k, secs))
    per_line = len(orders_mod.text_buffer(lines)) / sample
    return max(1, round(gb_per_day * BYTES_PER_GB / per_line))


def generate(start: date, days: int, landing_root: str, rows_per_day: int | None = None,
             gb_per_day: float | None = None, seed: int = 42, defects: float = 0.0,
             progress: bool = True) -> GenerateSummary:
    """Write `days` days of landing files from `start` and return what was written.

    `rows_per_day` is the number of orders data lines per day before duplicates
    (default 10,000); `gb_per_day` sizes it from the orders CSV bytes instead.
    `defects` is the share of defective lines per file (0..1). `progress` draws a
    bar on stderr when it is a terminal.
    """
    if isinstance(start, datetime):
        start = start.date()
    validate(start, days, rows_per_day, gb_per_day, seed, defects, landing_root)
    if gb_per_day is not None:
        rows_per_day = estimate_rows(seed, start, gb_per_day)
    rows = rows_per_day or DEFAULT_ROWS_PER_DAY
    summary = GenerateSummary(landing_root, start, days, rows, seed, float(defects))
    pools = build_pools(seed, start, rows)
    ctx = orders_mod.build_context(pools)
    redelivery = int(rng_for(seed, "redelivery", start).integers(0, days)) if defects > 0 else -1
    bar = Progress(progress, days)
    with LandingZone(landing_root) as zone:
        for i in range(days):
            day = start + timedelta(days=i)
            bar.start_day(i, day, rows)
            for source in MASTER_SOURCES:
                _write_master(zone, pools, source, seed, day, i == 0, defects, summary)
            _write_fx(zone, seed, day, i == 0, defects, summary)
            write_orders(zone, ctx, seed, day, rows, defects, i == redelivery, summary, bar)
            bar.end_day()
    return summary


def _write_master(zone: LandingZone, pools: MasterPools, source: str, seed: int, day: date,
                  first_day: bool, rate: float, summary: GenerateSummary) -> None:
    """One master-data file: that day's extract, with defects, in the source's format."""
    extract = daily_extract(pools, source, seed, day, first_day)
    fmt = FORMATS[source]
    rows, counts = apply_defects(extract.rows, SOURCES[source], fmt, day, rate,
                                 rng_for(seed, source, day, "defects"), day.toordinal())
    name = f"{source}_{day:%Y%m%d}_{'full' if extract.full else 'changes'}.{fmt}"
    _write_small(zone, source, day, name, fmt, rows, counts, extract.events, summary)


def _write_fx(zone: LandingZone, seed: int, day: date, first_day: bool, rate: float,
              summary: GenerateSummary) -> None:
    """The day's fx_rates CSV: one row per currency present (all on the first day), with defects.

    FX defects are extra broken lines next to the rates, never in their place: a
    quarantined line must not take a rate away from the day's orders (on the first
    day they would have no earlier rate to fall back on).
    """
    rows, events = fx_rows(seed, day, complete=first_day)
    rows, counts = apply_defects(rows, SOURCES["fx_rates"], "csv", day, rate,
                                 rng_for(seed, "fx_rates", day, "defects"), day.toordinal(), additive=True)
    _write_small(zone, "fx_rates", day, f"fx_rates_{day:%Y%m%d}.csv", "csv", rows, counts, events, summary)


def _write_small(zone: LandingZone, source: str, day: date, name: str, fmt: str, rows: list,
                 counts: dict, events: dict, summary: GenerateSummary) -> None:
    """Write a small file in one go and add it to the summary."""
    with zone.writing(source, day, name) as path:
        written = write_rows(fmt, path, SOURCES[source].columns, rows)
        size = path.stat().st_size
    summary.sources[source].add_file(written, size, counts, events)


def _orders_chunks(ctx: orders_mod.OrdersContext, seed: int, day: date, rows: int, rate: float,
                   workers: int) -> Iterator[tuple[memoryview, int, dict]]:
    """(CSV bytes, lines, defect counts) per chunk of the day, in order, built ahead on threads."""
    k, secs = orders_mod.day_plan(seed, day, rows)
    bounds = orders_mod.chunk_bounds(k)

    def build(c: int):
        a, b = bounds[c]
        columns = orders_mod.orders_chunk(ctx, seed, day, c, a, k[a:b], secs[a:b])
        lines = orders_mod.join_lines(columns)
        lines, counts = orders_mod.inject_defects(
            columns, lines, day, rate, rng_for(seed, "orders", day, "defects", c), day.toordinal() + c)
        return lines, counts

    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = [pool.submit(build, c) for c in range(min(workers, len(bounds)))]
        for c in range(len(bounds)):
            lines, counts = pending.pop(0).result()
            if c + workers < len(bounds):
                pending.append(pool.submit(build, c + workers))
            yield orders_mod.text_buffer(lines), len(lines), counts


def write_orders(zone: LandingZone, ctx: orders_mod.OrdersContext, seed: int, day: date, rows: int,
                 rate: float, redeliver: bool, summary: GenerateSummary, bar: Progress,
                 workers: int = WORKERS) -> None:
    """The day's orders CSV, streamed chunk by chunk; on the re-delivery day also a copy."""
    name = f"orders_{day:%Y%m%d}.csv"
    copies = (f"orders_{day:%Y%m%d}_redelivered.csv",) if redeliver else ()
    header = csv_line(ORDERS.columns).encode("utf-8")
    written, counts = 0, {}
    with zone.writing("orders", day, name, copies) as path:
        with open(path, "wb") as out:
            out.write(header)
            for data, n, chunk_counts in _orders_chunks(ctx, seed, day, rows, rate, workers):
                out.write(data)
                written += n
                for kind, v in chunk_counts.items():
                    counts[kind] = counts.get(kind, 0) + v
                bar.advance(n, len(data))
        size = path.stat().st_size
    target = summary.sources["orders"]
    target.add_file(written, size, counts)
    for _ in copies:
        target.add_file(written, size, events={"redelivered_file": 1})
