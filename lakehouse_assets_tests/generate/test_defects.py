"""With `defects=0.2` every defect kind of SPEC §3 lands, each failing exactly its rule."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest

from lakehouse_assets.sources import SOURCES
from lakehouse_assets_tests.generate.spec_check import classify, file_report

DUPLICATES = {"duplicate", "duplicate_changed"}
ALL_REASONS = {"malformed_row", "missing_value", "bad_type", "out_of_range", "wrong_partition", "unknown_currency"}
EXPECTED_KINDS = {
    "orders": ALL_REASONS | DUPLICATES,
    "fx_rates": ALL_REASONS | DUPLICATES,
    "customers": {"malformed_row", "missing_value", "bad_type"} | DUPLICATES,
    "stores": {"malformed_row", "missing_value", "bad_type"} | DUPLICATES,
    "sales_team": {"malformed_row", "missing_value", "bad_type"} | DUPLICATES,
    # Parquet always has its columns (no malformed_row); prices have a range rule.
    "products": {"missing_value", "bad_type", "out_of_range"} | DUPLICATES,
}


def _unique_files(landing):
    """Files minus re-delivered copies (same content under another name)."""
    seen, out = set(), []
    for f in landing.files:
        if f.sha256 not in seen:
            seen.add(f.sha256)
            out.append(f)
    return out


@pytest.fixture(scope="module")
def found(defective_landing) -> dict[str, Counter]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for f in _unique_files(defective_landing):
        counts[f.source].update(file_report(f)[0])
    return counts


@pytest.mark.parametrize("source", sorted(EXPECTED_KINDS))
def test_every_applicable_kind_appears(found, source):
    assert set(found[source]) == EXPECTED_KINDS[source]


@pytest.mark.parametrize("source", sorted(EXPECTED_KINDS))
def test_independent_checker_agrees_with_the_generator_per_kind(found, defective_landing, source):
    """Equal counts per reason: no defect trips an earlier rule or lands as another kind."""
    assert found[source] == Counter(dict(defective_landing.summary.sources[source].defects))


def test_about_the_requested_share_of_lines_is_defective(found, defective_landing):
    for source in ("orders", "customers"):
        lines = sum(len(f.records) for f in _unique_files(defective_landing) if f.source == source)
        dups = sum(found[source][k] for k in DUPLICATES)
        share = sum(found[source].values()) / (lines - dups)
        assert 0.17 < share < 0.23, (source, share)


def test_each_orders_range_rule_is_broken_somewhere(defective_landing):
    details: dict[str, set] = defaultdict(set)
    for f in defective_landing.files:
        for record in f.records:
            reason, detail = classify(SOURCES[f.source], record, f.day)
            if reason == "out_of_range":
                details[f.source].add(detail)
    assert details["orders"] == {"line_number", "quantity", "unit_price", "discount_amount"}
    assert details["products"] == {"unit_cost_usd", "list_price_usd"}
    assert details["fx_rates"] == {"usd_per_unit"}


def test_malformed_rows_come_in_every_shape(defective_landing):
    width = len(SOURCES["orders"].columns)
    orders = [r for f in defective_landing.files if f.source == "orders" for r in f.records]
    assert {len(r) for r in orders} == {width - 1, width, width + 1}
    shapes = Counter()
    for f in defective_landing.files:
        if f.source != "customers":
            continue
        for line in f.path.read_text(encoding="utf-8").splitlines():
            try:
                keys = set(json.loads(line))
            except json.JSONDecodeError:
                shapes["truncated"] += 1
                continue
            columns = set(SOURCES["customers"].columns)
            shapes["extra_key" if keys > columns else "missing_key" if keys < columns else "ok"] += 1
    assert {"truncated", "extra_key", "missing_key", "ok"} == set(shapes)


def test_a_quoted_field_with_a_comma_survives_csv_parsing(defective_landing):
    """`12,5x` in a decimal column must be quoted (RFC 4180), not split into two fields."""
    records = [r for f in defective_landing.files if f.source == "orders" for r in f.records]
    assert any("12,5x" in r for r in records if len(r) == len(SOURCES["orders"].columns))


def test_one_orders_file_is_redelivered_under_a_second_name(defective_landing):
    orders = defective_landing.of("orders")
    by_hash = defaultdict(list)
    for f in orders:
        by_hash[f.sha256].append(f)
    copies = [fs for fs in by_hash.values() if len(fs) > 1]
    assert len(orders) == 11 and len(copies) == 1
    first, second = copies[0]
    assert first.day == second.day and first.path.name != second.path.name
    summary = defective_landing.summary.sources["orders"]
    assert summary.files == 11 and summary.events["redelivered_file"] == 1
    assert summary.rows == sum(len(f.records) for f in orders)
