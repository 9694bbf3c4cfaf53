"""What `python -m benchmarks` measures and at which sizes (flags or BENCH_* env)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, replace
from pathlib import Path

from lakehouse_assets.settings import PROJECT_ROOT

FIGURES = ("bronze", "daily", "fixed", "incremental", "generator", "duckdb", "memory", "scaling")
DOCS_PAGE = PROJECT_ROOT / "docs" / "performance.md"


@dataclass(frozen=True)
class BenchOptions:
    """Sizes and repeats of every figure. The defaults are the full benchmark."""

    repeat: int = 3
    day_repeat: int | None = None   # repeats of the orders-day figures (1, 2, 6, 7, 8); None: `repeat`
    orders_gb: float = 1.0          # figures 1, 2, 6, 7, 8: one orders day of about this size
    tiny_rows: int = 200            # figure 3: orders lines of the tiny day
    incremental_rows: int = 20_000  # figure 4: orders lines per day
    incremental_days: int = 30      # figure 4: day N against day 1
    generator_gb: float = 1.0       # figure 5
    figures: tuple[str, ...] = FIGURES
    quick: bool = False
    docs: Path | None = DOCS_PAGE   # None: print only
    workdir: Path | None = None     # None: a temporary folder, deleted afterwards

    @property
    def day_repeats(self) -> int:
        return self.repeat if self.day_repeat is None else self.day_repeat


QUICK = {"orders_gb": 0.02, "incremental_rows": 200, "incremental_days": 5, "generator_gb": 0.1}

_ENV = {  # BENCH_<NAME> -> field, parser
    "REPEAT": ("repeat", int), "DAY_REPEAT": ("day_repeat", int), "ORDERS_GB": ("orders_gb", float),
    "TINY_ROWS": ("tiny_rows", int),
    "INCREMENTAL_ROWS": ("incremental_rows", int), "INCREMENTAL_DAYS": ("incremental_days", int),
    "GENERATOR_GB": ("generator_gb", float),
}


def parse(argv: list[str] | None = None, environ: dict[str, str] | os._Environ = os.environ) -> BenchOptions:
    """Flags win over BENCH_* environment variables, which win over the quick or full defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmark figures (medians over --repeat runs) and write docs/performance.md.")
    parser.add_argument("--quick", action="store_true", default=None,
                        help=f"small sizes to check the benchmark works: {QUICK}")
    parser.add_argument("--repeat", type=int, help="runs per figure, median reported (default 3)")
    parser.add_argument("--day-repeat", type=int,
                        help="runs of the orders-day figures 1, 2, 6, 7, 8 (default: --repeat); "
                             "a 1 GB repeat takes about 25 minutes on 2 cores")
    parser.add_argument("--orders-gb", type=float, help="orders day size for figures 1, 2, 6, 7, 8 (default 1.0)")
    parser.add_argument("--tiny-rows", type=int, help="orders lines of the fixed-cost day (default 200)")
    parser.add_argument("--incremental-rows", type=int, help="orders lines per day for figure 4 (default 20000)")
    parser.add_argument("--incremental-days", type=int, help="day N against day 1 for figure 4 (default 30)")
    parser.add_argument("--generator-gb", type=float, help="gigabytes generated for figure 5 (default 1.0)")
    parser.add_argument("--only", help=f"comma-separated figures to run, of {','.join(FIGURES)}")
    parser.add_argument("--no-docs", action="store_true", help="print the figures, do not touch docs/performance.md")
    parser.add_argument("--docs", type=Path, help="page to write the figures into (default docs/performance.md)")
    parser.add_argument("--workdir", type=Path, help="keep generated data and tables here (default: a temp dir)")
    args = parser.parse_args(argv)

    quick = args.quick if args.quick is not None else environ.get("BENCH_QUICK", "") not in ("", "0")
    options = replace(BenchOptions(), **QUICK, quick=True) if quick else BenchOptions()
    for name, (attr, kind) in _ENV.items():
        if environ.get(f"BENCH_{name}"):
            options = replace(options, **{attr: kind(environ[f"BENCH_{name}"])})
    flags = {attr: getattr(args, attr) for attr, _ in _ENV.values() if getattr(args, attr) is not None}
    options = replace(options, **flags)
    if args.only:
        wanted = tuple(f.strip() for f in args.only.split(",") if f.strip())
        unknown = [f for f in wanted if f not in FIGURES]
        if unknown:
            parser.error(f"--only: unknown figure(s) {unknown}; choose from {', '.join(FIGURES)}")
        options = replace(options, figures=wanted)
    docs = None if args.no_docs else (args.docs or DOCS_PAGE)
    options = replace(options, docs=docs, workdir=args.workdir)
    problems = [name for name, bad in (("--repeat", options.repeat < 1),
                                       ("--day-repeat", options.day_repeat is not None and options.day_repeat < 1),
                                       ("--orders-gb", options.orders_gb <= 0),
                                       ("--tiny-rows", options.tiny_rows < 1),
                                       ("--incremental-rows", options.incremental_rows < 1),
                                       ("--incremental-days", options.incremental_days < 2),
                                       ("--generator-gb", options.generator_gb <= 0)) if bad]
    if problems:
        parser.error(f"out of range: {', '.join(problems)} (repeat >= 1, sizes > 0, incremental days >= 2)")
    return options


def describe(options: BenchOptions) -> str:
    mode = "Quick mode (small sizes: a check that the benchmark works, not figures to quote). " if options.quick else ""
    runs = f"Medians over {options.repeat} run(s)"
    if options.day_repeats != options.repeat:
        runs += f", {options.day_repeats} for the orders-day figures (1, 2, 6, 7, 8)"
    return (f"{mode}{runs}. Orders day {options.orders_gb:g} GB of CSV; "
            f"tiny day {options.tiny_rows:,} order lines; incremental {options.incremental_rows:,} "
            f"lines/day, day {options.incremental_days} against day 1; generator {options.generator_gb:g} GB.")
