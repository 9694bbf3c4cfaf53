"""Same arguments, same bytes; days independent of each other; sizing by rows or GB."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import numpy as np

from lakehouse_assets.generate import generate, orders
from lakehouse_assets.generate.fx import fx_rows
from lakehouse_assets.generate.master import pool_sizes
from lakehouse_assets_tests.generate.conftest import START
from lakehouse_assets_tests.generate.spec_check import file_report, load_landing


def _contents(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path):
    args = dict(start=START, days=2, rows_per_day=1500, defects=0.1, progress=False)
    generate(landing_root=str(tmp_path / "a"), seed=7, **args)
    generate(landing_root=str(tmp_path / "b"), seed=7, **args)
    generate(landing_root=str(tmp_path / "c"), seed=8, **args)
    a, b, c = (_contents(tmp_path / x) for x in "abc")
    assert len(a) >= 12 and a == b
    assert {k for k in a if k in c and a[k] == c[k]} == set()


def test_orders_and_fx_of_a_day_do_not_depend_on_the_range(tmp_path):
    """Days can be produced separately (or in parallel): only master snapshots move, and a
    range's first day gets the FX rates its day misses (the same rates, lines added)."""
    generate(START, 3, str(tmp_path / "whole"), rows_per_day=800, seed=3, progress=False)
    generate(START + timedelta(days=1), 2, str(tmp_path / "tail"), rows_per_day=800, seed=3, progress=False)
    whole, tail = _contents(tmp_path / "whole"), _contents(tmp_path / "tail")
    shared = [k for k in tail if k.startswith(("orders/", "fx_rates/"))]
    first_fx = f"fx_rates/date={START + timedelta(days=1)}/"
    assert len(shared) == 4 and all(whole[k] == tail[k] for k in shared if not k.startswith(first_fx))
    assert all(set(whole[k].splitlines()) <= set(tail[k].splitlines()) for k in shared if k.startswith(first_fx))


def test_gb_per_day_sizes_the_orders_file(tmp_path):
    summary = generate(START, 1, str(tmp_path), gb_per_day=0.002, progress=False)
    size = summary.sources["orders"].bytes
    assert abs(size - 2_000_000) < 100_000
    assert summary.rows_per_day == summary.sources["orders"].rows


def test_master_pools_grow_mildly_with_the_orders():
    small, big = pool_sizes(10_000), pool_sizes(10_000_000)
    assert small[0] < big[0] < 100 * small[0] and small[1] < big[1]


def test_multi_chunk_days_keep_orders_whole_and_in_time_order(tmp_path, monkeypatch):
    monkeypatch.setattr(orders, "CHUNK_ROWS", 700)
    assert len(orders.chunk_bounds(orders.day_plan(5, START, 5000)[0])) > 5
    generate(START, 1, str(tmp_path / "clean"), rows_per_day=5000, seed=5, progress=False)
    (landed,) = [f for f in load_landing(tmp_path / "clean") if f.source == "orders"]
    counts, rows = file_report(landed)
    assert not counts and len(rows) == 5000
    ids = [int(r[0].split("-")[1]) for r in rows]
    assert ids == sorted(ids) and sorted(set(ids)) == list(range(1, max(ids) + 1))
    stamps = [r[2] for r in rows]
    assert stamps == sorted(stamps)


def test_multi_chunk_defects_are_counted_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(orders, "CHUNK_ROWS", 700)
    summary = generate(START, 1, str(tmp_path), rows_per_day=5000, seed=5, defects=0.05, progress=False)
    landed, copy = [f for f in load_landing(tmp_path) if f.source == "orders"]  # + the re-delivery
    assert landed.sha256 == copy.sha256
    assert file_report(landed)[0] == Counter(dict(summary.sources["orders"].defects))


def test_about_five_percent_of_fx_rates_are_missing():
    days = [START + timedelta(days=i) for i in range(400)]
    counts = [fx_rows(1, d)[1]["missing_rate"] for d in days]
    share = sum(counts) / (6 * len(days))
    assert 0.03 < share < 0.07
    usd = [r for d in days[:20] for r in fx_rows(1, d)[0] if r[1] == "USD"]
    assert len(usd) == 20 and {r[2] for r in usd} == {"1.00000000"}


def test_day_plan_has_exactly_the_requested_lines():
    for n in (1, 5, 999, 12345):
        k, secs = orders.day_plan(9, START, n)
        assert k.sum() == n and k.min() >= 1 and k.max() <= 5
        assert len(secs) == len(k) and np.all(np.diff(secs) >= 0) and secs.max() < 86_400
