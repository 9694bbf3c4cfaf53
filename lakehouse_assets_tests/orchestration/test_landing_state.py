"""The landing sensor's pure decisions: file versions, cursor, hashing budget, date ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lakehouse_assets.orchestration.landing_state import (
    MAX_CONTENT_ENTRIES,
    LandingCursor,
    date_ranges,
    file_digest,
    run_key,
    within_budget,
)
from lakehouse_assets.resources.landing import LandingFile


def landed(name: str, size: int = 10, minute: int = 0, etag: str | None = None) -> LandingFile:
    return LandingFile(f"s3://b/landing/orders/date=2024-03-01/{name}", "orders", date(2024, 3, 1), size,
                       datetime(2024, 3, 2, 8, minute, tzinfo=UTC), "csv", etag)


def test_a_file_version_is_its_path_and_etag_or_size_and_mtime():
    assert file_digest(landed("a.csv", etag="e1")) == file_digest(landed("a.csv", size=99, minute=5, etag="e1"))
    assert file_digest(landed("a.csv", etag="e1")) != file_digest(landed("a.csv", etag="e2"))
    assert file_digest(landed("a.csv")) != file_digest(landed("a.csv", minute=1))  # local: mtime changed
    assert file_digest(landed("a.csv")) != file_digest(landed("b.csv"))


def test_cursor_round_trips_and_stays_bounded():
    cursor = LandingCursor(seen={"x", "y"}, content=[str(i) for i in range(MAX_CONTENT_ENTRIES + 10)])
    parsed = LandingCursor.parse(cursor.dump())
    assert parsed.seen == {"x", "y"}
    assert parsed.content == [str(i) for i in range(10, MAX_CONTENT_ENTRIES + 10)]
    assert LandingCursor.parse(None) == LandingCursor()
    with pytest.raises(ValueError, match="cursor version"):
        LandingCursor.parse('{"v": 99}')


def test_hashing_budget_takes_the_oldest_arrivals_and_at_least_one_file():
    files = [landed("late.csv", 60, minute=9), landed("first.csv", 60, minute=1), landed("second.csv", 60, minute=2)]
    assert [f.name for f in within_budget(files, 130)] == ["first.csv", "second.csv"]
    assert [f.name for f in within_budget(files, 1)] == ["first.csv"]


def test_consecutive_dates_make_one_range_and_run_keys_ignore_order():
    days = {date(2024, 1, 15), date(2024, 3, 2), date(2024, 3, 1), date(2024, 3, 3)}
    assert date_ranges(days) == [(date(2024, 1, 15), date(2024, 1, 15)), (date(2024, 3, 1), date(2024, 3, 3))]
    a, b = landed("a.csv"), landed("b.csv")
    assert run_key([a, b]) == run_key([b, a]) != run_key([a])
