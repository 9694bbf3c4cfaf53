"""Benchmark of the orders generator: `python -m benchmarks.generator [--gb 1.0]`.

Writes about `--gb` gigabytes (10^9 bytes) of orders CSV for one day into a
temporary folder (deleted afterwards) and prints the throughput in GB/min and
rows/s. Master data and lookup tables are built first and timed separately, so
the figure is the orders writer itself: the part that scales with `--gb-per-day`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date

from benchmarks.report import Figure, Target
from lakehouse_assets.generate import generator
from lakehouse_assets.generate.master import build_pools
from lakehouse_assets.generate.orders import build_context
from lakehouse_assets.generate.progress import Progress
from lakehouse_assets.generate.summary import GenerateSummary
from lakehouse_assets.generate.writers import LandingZone


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generator",
                                     description="Measure how fast orders CSV is generated.")
    parser.add_argument("--gb", type=float, default=1.0, help="gigabytes of orders to write (default 1.0)")
    parser.add_argument("--defects", type=float, default=0.0, help="defect rate (default 0)")
    parser.add_argument("--workers", type=int, default=generator.WORKERS, help="chunk builder threads")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


def run(gb: float, defects: float = 0.0, workers: int = generator.WORKERS, seed: int = 42) -> dict[str, float]:
    """Generate `gb` GB of orders in a temp folder; return the measured figures."""
    day = date(2024, 1, 1)
    t0 = time.perf_counter()
    rows = generator.estimate_rows(seed, day, gb)
    ctx = build_context(build_pools(seed, day, rows))
    setup = time.perf_counter() - t0
    summary = GenerateSummary("bench", day, 1, rows, seed, defects)
    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as tmp, LandingZone(tmp) as zone:
        t1 = time.perf_counter()
        generator.write_orders(zone, ctx, seed, day, rows, defects, False, summary,
                               Progress(True, 1), workers=workers)
        seconds = time.perf_counter() - t1
    written = summary.sources["orders"]
    return {"rows": written.rows, "bytes": written.bytes, "seconds": seconds, "setup_seconds": setup,
            "gb_per_min": written.bytes / 1e9 / seconds * 60, "rows_per_s": written.rows / seconds}


def figure(gb: float, repeat: int, echo=print):
    """Figure 5 of `make bench`: the median throughput of `repeat` runs."""
    runs = [run(gb) for _ in range(repeat)]
    for i, r in enumerate(runs):
        echo(f"  repeat {i + 1}/{repeat} {r['bytes'] / 1e9:.2f} GB in {r['seconds']:.1f} s: "
             f"{r['gb_per_min']:.2f} GB/min")
    rows_per_s = sorted(r["rows_per_s"] for r in runs)[len(runs) // 2]
    return Figure("5", f"Generator throughput, orders CSV ({runs[0]['bytes'] / 1e9:.2f} GB, "
                       f"{generator.WORKERS} threads)", "GB/min",
                  [r["gb_per_min"] for r in runs], Target(1.0, at_most=False),
                  f"{runs[0]['rows']:,} order lines per run, about {rows_per_s:,.0f} lines/s; "
                  "master data and look-ups built first, not timed.")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit code 2 on bad arguments."""
    args = parse_args(argv)
    if args.gb <= 0 or not 0 <= args.defects <= 1 or args.workers < 1:
        print("bench: --gb must be > 0, --defects in 0..1, --workers >= 1", file=sys.stderr)
        return 2
    r = run(args.gb, args.defects, args.workers, args.seed)
    print(f"orders: {r['rows']:,} rows, {r['bytes'] / 1e9:.3f} GB in {r['seconds']:.1f} s "
          f"(setup {r['setup_seconds']:.1f} s, {args.workers} worker(s), defects {args.defects:g})")
    print(f"throughput: {r['gb_per_min']:.2f} GB/min, {r['rows_per_s']:,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
