"""Adversarial landing files: bronze keeps every line, and each line gets exactly one outcome.

Hundreds of generated files (lakehouse_assets_tests/faults/fuzz.py) land in one date
folder; bronze reads them once into a real Delta table and SPEC §3 classifies them
once. Per file (`_source_file`), bronze rows equal the data lines counted from the
bytes, and every row is in silver, quarantine or the duplicates. `LAKEHOUSE_FUZZ_SEED`
and `LAKEHOUSE_FUZZ_CASES` give other files (the default seed is fixed).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from pyspark.sql import functions as F

from lakehouse_assets.bronze.ingest import inspect_files, read_bronze
from lakehouse_assets.bronze.shapes import UNREADABLE
from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.resources.landing import hash_files, list_landing_files
from lakehouse_assets.sources import DEFAULT_CURRENCIES, ORDERS
from lakehouse_assets.transforms.conform import quarantine_rows
from lakehouse_assets.transforms.validation import DUPLICATE, OUTCOME, QUARANTINE, REASONS, SILVER, classify
from lakehouse_assets_tests.faults.fuzz import expected_data_lines, make_cases, write_cases

pytestmark = pytest.mark.slow  # hundreds of fuzzed files through bronze and validation

SEED = int(os.environ.get("LAKEHOUSE_FUZZ_SEED", "20240301"))
CASES = max(int(os.environ.get("LAKEHOUSE_FUZZ_CASES", "240")), 200)
DAY = date(2024, 3, 1)
BRONZE, QUARANTINE_KEY = ["bronze", "orders"], ["quarantine", "orders"]


@pytest.fixture(scope="module")
def fuzzed(spark, tmp_path_factory):
    """The cases, each file's shape, and per-file figures of bronze and its classification."""
    root = tmp_path_factory.mktemp("fuzz")
    cases = make_cases(SEED, CASES, DAY.isoformat())
    write_cases(cases, root / "landing" / "orders" / f"date={DAY.isoformat()}")
    files = list_landing_files(str(root / "landing"), "orders", [DAY])
    shapes = inspect_files(spark, ORDERS, files)
    bronze = read_bronze(spark, ORDERS, files, hash_files(files), "fuzz", datetime.now(UTC), shapes=shapes)
    tables = DeltaTables(spark, str(root / "lakehouse"))
    tables.replace_window(bronze, BRONZE, PARTITION_COLUMN, DAY, DAY + timedelta(days=1))
    classified = classify(tables.read(BRONZE), ORDERS, DEFAULT_CURRENCIES).cache()
    tables.replace_window(quarantine_rows(classified, ORDERS), QUARANTINE_KEY, PARTITION_COLUMN, DAY,
                          DAY + timedelta(days=1))
    outcome, detail = F.col(OUTCOME), F.col("reason_detail")
    rows = classified.groupBy("_source_file").agg(
        F.count(F.lit(1)).alias("bronze"),
        *[F.count(F.when(outcome == o, 1)).alias(o) for o in (SILVER, QUARANTINE, DUPLICATE)],
        F.count(F.when((outcome == QUARANTINE) & ~F.col("reason").isin(*REASONS), 1)).alias("unknown_reason"),
        F.count(F.when((outcome == QUARANTINE) & detail.isNull(), 1)).alias("no_detail"),
        F.count(F.when(detail.startswith("bad_encoding"), 1)).alias("bad_encoding"),
    ).collect()
    per_file = {r["_source_file"].rsplit("/", 1)[-1]: r.asDict() for r in rows}
    by_name = {f.name: shapes[f.spark_path] for f in files}
    yield cases, by_name, per_file, tables
    classified.unpersist()


def test_enough_cases_of_every_kind(fuzzed):
    cases, *_ = fuzzed
    kinds = {m for case in cases for m in case.mutations}
    assert len(cases) >= 200
    assert {"truncate", "unbalanced_quote", "garbage_line", "header_only", "empty", "latin1", "utf16",
            "huge_field", "extra_column", "missing_column", "bom"} <= kinds


def test_every_data_line_is_a_bronze_row(fuzzed):
    cases, shapes, per_file, _ = fuzzed
    wrong = []
    for case in cases:
        expected = expected_data_lines(case.data, case.name)
        got = per_file.get(case.name, {}).get("bronze", 0)
        if expected is None:  # bytes no reader can decode: no rows, and a file problem names it
            if got or not any(p.kind == UNREADABLE for p in shapes[case.name].problems):
                wrong.append((case.name, case.mutations, "unreadable file", got))
        elif got != expected:
            wrong.append((case.name, case.mutations, expected, got))
    assert not wrong, f"bronze rows differ from the landed data lines (seed {SEED}): {wrong[:10]}"


def test_every_bronze_row_has_exactly_one_outcome(fuzzed):
    _, _, per_file, tables = fuzzed
    unbalanced = {name: r for name, r in per_file.items()
                  if r["bronze"] != r[SILVER] + r[QUARANTINE] + r[DUPLICATE] or r["unknown_reason"] or r["no_detail"]}
    assert not unbalanced, f"seed {SEED}: {list(unbalanced.items())[:5]}"
    assert tables.read(QUARANTINE_KEY).count() == sum(r[QUARANTINE] for r in per_file.values())
    assert sum(r[QUARANTINE] for r in per_file.values()) > 0 and sum(r[SILVER] for r in per_file.values()) > 0


def test_undecodable_lines_are_quarantined_as_bad_encoding(fuzzed):
    cases, _, per_file, _ = fuzzed
    for case in cases:
        figures = per_file.get(case.name)
        if "utf16" in case.mutations and figures:
            assert figures["bad_encoding"] == figures["bronze"] and figures[SILVER] == 0, case
    latin1 = [per_file[c.name]["bad_encoding"] for c in cases if "latin1" in c.mutations and c.name in per_file]
    assert not latin1 or sum(latin1) > 0, "Latin-1 bytes are not UTF-8"
