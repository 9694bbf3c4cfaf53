"""Two runs of different days, started together in two processes, on the same (new) tables.

Both create every daily table at the same moment, then write their own partitions and
MERGE into the same dimensions: Delta's optimistic concurrency makes the loser of each
race retry (lakehouse_assets/io_managers/retry.py). Both must succeed and every daily
table must equal the clean reference run: nothing lost, nothing duplicated. The fact's
dimension keys and product costs are left out of the comparison: a fact partition sees
the dimensions as they are when it is built (docs/decisions.md 16), and here that
depends on how the two runs interleave.
"""

from __future__ import annotations

import pytest

from lakehouse_assets_tests.faults.harness import driver_env, start_driver
from lakehouse_assets_tests.pipeline import DAY1, DAY2, Lakehouse, Reference, snapshot

pytestmark = pytest.mark.slow
RUN_TIMEOUT_SECONDS = 1800
RETRY_MESSAGE = "Delta write conflict"
# Built by the monthly and unpartitioned jobs, which these daily runs do not include.
NOT_DAILY = {"gold/customer_monthly_sales", "gold/sales_team_monthly", "gold/category_monthly_revenue",
             "gold/customer_lifetime_value"}
FACT = "gold/fact_sales"
BUILD_ORDER_DEPENDENT = {"customer_sk", "product_sk", "store_sk", "sales_person_sk", "cost_usd", "margin_usd"}


def fact_rows(spark, root) -> list[tuple]:
    """The fact's rows without what depends on the dimension versions seen at build time."""
    return Lakehouse("", str(root), spark).snapshot(FACT, exclude=frozenset(BUILD_ORDER_DEPENDENT))


def test_two_days_written_at_once_both_land(reference: Reference, spark, tmp_path):
    root = tmp_path / "lakehouse"
    env = driver_env(reference.landing, root)
    logs = [tmp_path / f"{day.isoformat()}.log" for day in (DAY1, DAY2)]
    runs = [start_driver(day, [], env, log) for day, log in zip((DAY1, DAY2), logs)]
    try:
        codes = [run.wait(timeout=RUN_TIMEOUT_SECONDS) for run in runs]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
    outputs = [log.read_bytes().decode(errors="replace") for log in logs]
    assert codes == [0, 0], "\n\n".join(output[-3000:] for output in outputs)
    tables = [key for key in reference.tables() if key not in NOT_DAILY | {FACT}]
    differ = [key for key in tables if snapshot(spark, root, key) != reference.snapshot(key)]
    assert not differ, f"tables that differ from one clean run of both days: {differ}"
    assert fact_rows(spark, root) == fact_rows(spark, reference.root)
    retried = sum(output.count(RETRY_MESSAGE) for output in outputs)
    print(f"\nconcurrent runs: {len(tables)} tables equal the clean run; {retried} conflicting write(s) retried")
