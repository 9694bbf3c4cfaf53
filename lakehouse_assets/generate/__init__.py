"""Synthetic landing data for the retail lakehouse (`lakehouse generate`).

`generate(start, days, landing_root, ...)` writes every source of SPEC §2 for a
date range, deterministic for a seed, with an optional share of defective lines
of every kind of SPEC §3. See `generator.py` for the entry point and the other
modules for the pieces: master data, fx rates, orders, defects, writers.
"""

from lakehouse_assets.generate.generator import DEFAULT_ROWS_PER_DAY, FORMATS, GenerateError, generate
from lakehouse_assets.generate.summary import GenerateSummary, SourceSummary

__all__ = ["DEFAULT_ROWS_PER_DAY", "FORMATS", "GenerateError", "GenerateSummary", "SourceSummary", "generate"]
