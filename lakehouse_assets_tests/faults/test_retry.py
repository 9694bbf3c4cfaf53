"""Delta write conflicts are retried a bounded number of times, on every write path."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from lakehouse_assets.io_managers import retry
from lakehouse_assets.io_managers.tables import DeltaTables

WRITES = ("replace_window", "overwrite", "upsert_groups")
WRITERS = 2


class ConcurrentAppendException(Exception):
    """Named like Delta's: the retry matches on the class name, as py4j hands it over."""


@pytest.fixture
def no_wait(monkeypatch):
    monkeypatch.setattr(retry, "BASE_DELAY_SECONDS", 0.0)


def test_conflicts_are_retried_then_given_up(no_wait):
    calls = []

    @retry.retry_on_conflict
    def write(fail_times: int) -> str:
        calls.append(1)
        if len(calls) <= fail_times:
            raise ConcurrentAppendException("Files were added to partition [d=2024-01-01] by a concurrent update")
        return "committed"

    assert write(retry.MAX_ATTEMPTS - 1) == "committed" and len(calls) == retry.MAX_ATTEMPTS
    calls.clear()
    with pytest.raises(ConcurrentAppendException):
        write(retry.MAX_ATTEMPTS)
    assert len(calls) == retry.MAX_ATTEMPTS


def test_other_errors_are_not_retried(no_wait):
    calls = []

    @retry.retry_on_conflict
    def write() -> None:
        calls.append(1)
        raise ValueError("schema mismatch")

    with pytest.raises(ValueError):
        write()
    assert calls == [1]


def test_every_write_path_is_wrapped():
    for name in WRITES:
        assert getattr(getattr(DeltaTables, name), "__wrapped__", None) is not None, name


def test_concurrent_first_writes_of_one_table_keep_every_row(spark, tmp_path):
    """Threads of one session commit independently, as two processes do: they race to create
    the table, then to write it; the losers retry and nothing is lost or overwritten."""
    tables = DeltaTables(spark, str(tmp_path))
    start = date(2024, 1, 1)
    days = [start + timedelta(days=i) for i in range(WRITERS)]

    def day_partition(day: date) -> None:
        frame = spark.createDataFrame([(day, f"row-{day}")], "d date, v string")
        tables.replace_window(frame, ["silver", "by_day"], "d", day, day + timedelta(days=1))

    def entity_group(n: int) -> None:
        frame = spark.createDataFrame([(f"E{n}", n * 10 + k) for k in range(2)], "entity string, sk long")
        tables.upsert_groups(frame, ["silver", "dim_entity"], row_key="sk", group_key="entity")

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(day_partition, days))
        list(pool.map(entity_group, range(WRITERS)))
    assert sorted(r["d"] for r in tables.read(["silver", "by_day"]).collect()) == days
    assert sorted(r["sk"] for r in tables.read(["silver", "dim_entity"]).collect()) == [
        n * 10 + k for n in range(WRITERS) for k in range(2)]
